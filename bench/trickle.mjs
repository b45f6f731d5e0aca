// docs/reliability.md row 34, measured: /fast_task/ of the seed app beside TRICKLERS connections
// that trickle their heads (one byte every few seconds, never finishing), against the same
// probe with no flood. The server runs with its default connection cap (the fd limit less a
// tenth); the flood comes from two processes, since one process cannot hold 20,000 sockets
// under a 20,000 fd limit. The probe sends GET /fast_task/ at a fixed rate over fresh
// connections (the case the cap must keep open) and over one kept connection, and reports
// p50/p99 from each request's scheduled time, and every failure.
//
//   node trickle.mjs [--tricklers 20000] [--duration 20] [--rate 50] [--interval 5000]
import http from 'node:http';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({
  options: {
    tricklers: { type: 'string', default: '20000' },
    duration: { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    interval: { type: 'string', default: '5000' },
  },
});
const tricklers = positiveInt(opt, 'tricklers');
const durationS = positiveInt(opt, 'duration');
const rate = positiveInt(opt, 'rate');
const intervalMs = positiveInt(opt, 'interval');
const children = [];
const stopAll = () => children.forEach((child) => child.kill('SIGKILL'));
process.on('SIGINT', () => (stopAll(), process.exit(130)));
process.on('exit', stopAll);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);

async function probe(port, seconds) {
  const keep = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results = { fresh: [], kept: [], failures: [] };
  const one = (agent, into) => {
    const start = performance.now();
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/fast_task/', agent, timeout: 10_000 }, (res) => {
        res.resume().on('end', () => {
          if (res.statusCode === 200) into.push(performance.now() - start);
          else results.failures.push(`status ${res.statusCode}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
      req.on('error', (error) => (results.failures.push(`${error.code ?? ''} ${error.message}`), resolve()));
    });
  };
  const pending = [];
  const t0 = performance.now();
  for (let i = 0; i < seconds * rate; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(one(false, results.fresh), one(keep, results.kept));
  }
  await Promise.all(pending);
  keep.destroy();
  const summary = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { n: sorted.length, p50: pct(sorted, 50)?.toFixed(1), p99: pct(sorted, 99)?.toFixed(1), max: sorted.at(-1)?.toFixed(1) };
  };
  return { fresh: summary(results.fresh), kept: summary(results.kept), failures: results.failures.length, failureKinds: [...new Set(results.failures)].slice(0, 5) };
}

const port = await freePort();
const server = spawn(process.execPath, [join(REPO, 'bin', 'spry.mjs'), 'run', join(REPO, 'examples', 'seed', 'main.ts'), '--port', String(port), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
children.push(server);
let serverLog = '';
server.stdout.setEncoding('utf8').on('data', (chunk) => (serverLog += chunk));
for (let i = 0; i < 300; i++) {
  if (await httpGet(port, '/fast_task/').then(() => true, () => false)) break;
  await sleep(100);
}
console.error(`node trickle.mjs --tricklers ${tricklers} --duration ${durationS} --rate ${rate} --interval ${intervalMs}`);
const baseline = await probe(port, Math.min(durationS, 10));
console.error(`baseline: ${JSON.stringify(baseline)}`);

const perChild = Math.ceil(tricklers / 2);
const floodS = durationS + 200;
const counts = [{}, {}];
for (let c = 0; c < 2; c++) {
  const child = spawn(process.execPath, [join(BENCH, 'lib', 'trickler.mjs'), String(port), String(perChild), '1000', String(intervalMs), String(floodS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    for (const line of chunk.split('\n')) if (line.startsWith('{')) counts[c] = JSON.parse(line);
  });
}
const total = () => counts.reduce((sum, c) => ({ opened: sum.opened + (c.opened ?? 0), open: sum.open + (c.open ?? 0), closedByServer: sum.closedByServer + (c.closedByServer ?? 0), failed: sum.failed + (c.failed ?? 0) }), { opened: 0, open: 0, closedByServer: 0, failed: 0 });
const openedBy = Date.now() + 180_000;
while (total().opened + total().failed < tricklers && Date.now() < openedBy) await sleep(500);
await sleep(2000);
console.error(`flood: ${JSON.stringify(total())}`);
const flooded = await probe(port, durationS);
console.error(`beside the flood: ${JSON.stringify(flooded)}`);
console.error(`flood at the end: ${JSON.stringify(total())}`);
const warnings = serverLog.split('\n').filter((line) => line.includes('connections open'));
console.error(`server warnings: ${warnings.length} (${warnings[0] ?? 'none'})`);
console.log(JSON.stringify({ tricklers, durationS, rate, intervalMs, baseline, flooded, flood: total() }));
stopAll();
process.exit(0);
