// docs/reliability.md row 33, measured: `spry run --workers 2` serving the seed app's
// /fast_task/ to keep-alive clients in a closed loop (each sends its next request as soon as
// the last is answered, never retrying), through a SIGHUP that replaces both workers. Reports
// the requests that failed (target 0) and p50/p99 latency before the reload and during it
// (from the signal to the primary's "reload done").
//
//   node reload.mjs [--clients 32] [--before 10] [--after 5]
import http from 'node:http';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({ options: { clients: { type: 'string', default: '32' }, before: { type: 'string', default: '10' }, after: { type: 'string', default: '5' } } });
const clients = positiveInt(opt, 'clients');
const beforeS = positiveInt(opt, 'before');
const afterS = positiveInt(opt, 'after');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(1) : null);

const port = await freePort();
const primary = spawn(process.execPath, [join(REPO, 'bin', 'spry.mjs'), 'run', join(REPO, 'examples', 'seed', 'main.ts'), '--port', String(port), '--workers', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => primary.kill('SIGKILL'));
let log = '';
primary.stdout.setEncoding('utf8').on('data', (chunk) => (log += chunk));
for (let i = 0; i < 300 && !(log.match(/spry worker \[/g)?.length >= 2); i++) await sleep(100);
await httpGet(port, '/fast_task/');

const samples = []; // [time answered, latency ms]
const failures = [];
let running = true;
async function client() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (running) {
    const start = performance.now();
    await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/fast_task/', agent, timeout: 20_000 }, (res) => {
        res.resume().on('end', () => {
          if (res.statusCode === 200) samples.push([performance.now(), performance.now() - start]);
          else failures.push(`status ${res.statusCode}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 20 s')));
      req.on('error', (error) => (failures.push(`${error.code ?? ''} ${error.message} (reused socket: ${req.reusedSocket})`), resolve()));
    });
  }
  agent.destroy();
}
console.error(`node reload.mjs --clients ${clients} --before ${beforeS} --after ${afterS}`);
const loops = Array.from({ length: clients }, client);
const t0 = performance.now();
await sleep(beforeS * 1000);
const hupAt = performance.now();
primary.kill('SIGHUP');
while (!/reload done: 2 of 2 workers replaced/.test(log)) await sleep(20);
const doneAt = performance.now();
await sleep(afterS * 1000);
running = false;
await Promise.all(loops);
const window = (from, to) => samples.filter(([at]) => at >= from && at < to).map(([, ms]) => ms).sort((a, b) => a - b);
const before = window(t0 + 1000, hupAt);
const during = window(hupAt, doneAt);
const result = {
  requests: samples.length + failures.length,
  failed: failures.length,
  failureKinds: [...new Set(failures)].slice(0, 5),
  reloadMs: Math.round(doneAt - hupAt),
  before: { n: before.length, p50: pct(before, 50), p99: pct(before, 99) },
  during: { n: during.length, p50: pct(during, 50), p99: pct(during, 99) },
};
console.error(JSON.stringify(result));
console.log(JSON.stringify({ clients, beforeS, afterS, ...result }));
primary.kill('SIGTERM');
await new Promise((resolve) => primary.once('exit', resolve));
