// The access log's cost on the seed's /fast_task/, paired burst by burst (as realtime-ab.mjs
// pairs two commits): `spry run` with the access log on and with --no-access-log run at once on
// core 0, each with its stdout going where a collector would read it (a pipe read by `cat` on
// core 1, or a file; or /dev/null, where the bytes go nowhere), and short wrk bursts from core 1 alternate between them (A B B A ...), so
// that a neighbour's burst of work on a shared machine lands on both. Each burst's cost is the
// server's CPU time (every thread, from /proc/<pid>/task/*/schedstat, in ns: the log's writes run
// on libuv's pool) per request; the report is the median of each and of the per-pair ratios.
// --on-flags adds flags to the log-on server (--on-flags="--log-flush 0": each line written at once).
//
//   node access-log-ab.mjs [--stdout pipe|file|null] [--bursts 16] [--seconds 1] [--on-flags="--log-flush 0"]
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { threadsCpuNs } from './lib/procfs.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { nodeBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { parseWrk } from './lib/wrk.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({
  options: {
    stdout: { type: 'string', default: 'pipe' },
    bursts: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    'on-flags': { type: 'string', default: '' },
  },
});
if (!['pipe', 'file', 'null'].includes(opt.stdout)) throw new Error('--stdout is pipe, file or null (/dev/null: the bytes go nowhere)');
ensureBuilt(REPO);
const NODE = nodeBinary(24) ?? process.execPath;
const SEED = builtApp(REPO, join(REPO, 'examples', 'seed', 'main.ts'));
const dir = mkdtempSync(join(tmpdir(), 'spry-bench-log-'));


async function start(name, flags) {
  const port = await freePort();
  const reader = opt.stdout === 'pipe' ? spawnPinned(['cat'], { cpu: 1, stdio: ['pipe', 'ignore', 'ignore'] }) : undefined;
  const path = join(dir, `${name}.log`);
  const file = opt.stdout === 'file' ? openSync(path, 'w') : opt.stdout === 'null' ? openSync('/dev/null', 'w') : undefined;
  const child = spawnPinned([NODE, join(REPO, 'bin', 'spry.mjs'), 'run', SEED, ...flags], { cpu: 0, stdio: ['ignore', reader?.stdin ?? file, 'pipe'], env: { PORT: String(port), HOST: '127.0.0.1', SLOW_TASK_SECONDS: '0', NODE_ENV: 'production' } });
  if (file !== undefined) closeSync(file);
  const err = tail(child.stderr);
  for (let i = 0; i < 300; i++) {
    try {
      await httpGet(port, '/fast_task/');
      return { child, reader, port, path };
    } catch {
      if (child.exitCode !== null) throw new Error(`spry exited: ${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`spry did not start: ${err()}`);
}

function wrk(port, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawnPinned(['wrk', '-t1', `-c${opt.connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}/fast_task/`], { cpu: 1 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    const err = tail(child.stderr);
    child.once('exit', (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk failed: ${err()}`))));
  });
}

async function burst(server, seconds) {
  const startNs = threadsCpuNs(server.child.pid);
  const result = await wrk(server.port, seconds);
  return { count: result.requests, ns: threadsCpuNs(server.child.pid) - startNs };
}

const onFlags = opt['on-flags'].split(/\s+/).filter(Boolean);
const servers = { on: await start('on', onFlags), off: await start('off', ['--no-access-log']) };
const seconds = positiveInt(opt, 'seconds');
const bursts = positiveInt(opt, 'bursts');
const costs = { on: [], off: [] };
let requestsOn = 0;
try {
  for (const name of ['on', 'off']) {
    const { count } = await burst(servers[name], 2); // warm-up
    if (name === 'on') requestsOn += count;
  }
  for (let i = 0; i < bursts; i++) {
    for (const name of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const { count, ns } = await burst(servers[name], seconds);
      costs[name].push(ns / 1000 / count);
      if (name === 'on') requestsOn += count;
    }
    console.error(`burst ${i + 1}/${bursts}: on ${costs.on.at(-1).toFixed(1)} µs, off ${costs.off.at(-1).toFixed(1)} µs`);
  }
} finally {
  for (const server of Object.values(servers)) {
    await stopChild(server.child);
    if (server.reader !== undefined) await stopChild(server.reader);
  }
}
const logged = opt.stdout === 'file' ? statSync(servers.on.path).size : undefined;
rmSync(dir, { recursive: true, force: true });
const ratios = costs.on.map((a, i) => a / costs.off[i]);
console.log(`/fast_task/, stdout to ${opt.stdout === 'null' ? '/dev/null' : `a ${opt.stdout}`}${onFlags.length ? `, log on with ${onFlags.join(' ')}` : ''}: server CPU µs per request, ${bursts} paired bursts of ${seconds} s`);
console.log(`on ${median(costs.on).toFixed(1)} µs, off ${median(costs.off).toFixed(1)} µs, on/off median of pairs ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})${logged === undefined ? '' : `; ${(logged / requestsOn).toFixed(0)} bytes logged per request`}`);
