// Issue 5's worker-thread numbers: a CPU-bound route (a scrypt password hash) served through
// the pool with 1 and with 2 threads, the same hash run on the event loop for contrast, and
// /fast_task/'s latency while each of them is loaded, against its idle value.
//   Targets: /hash with 2 threads >= 1.8x 1 thread; /fast_task/ p99 while the pool is loaded
//   within 2x of its idle p99.
//
// Pinning (the machine has 2 cores): unlike run.mjs, the server (event loop + pool threads) gets
// both cores (taskset 0,1), since 2 threads can only beat 1 with a core each. The load
// generators share core 1 with it: wrk at nice 10 (some tens of hashes/s cost it ~1% of a
// core), the /fast_task/ probe at normal priority so that its own scheduling does not add to
// the latency it measures. The same pinning for every sample, so the ratios compare like with
// like; the absolute numbers are a 2-core machine's.
//
//   node threads.mjs [--rounds 3] [--duration 10] [--connections 8] [--rate 50]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllNow, spawnPinned, stopChild, tail } from './lib/children.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { httpGet, startServer } from './lib/start-server.mjs';
import { runWrk } from './lib/wrk.mjs';
import { median } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    rate: { type: 'string', default: '50' },
  },
});
const rounds = Number(opt.rounds);
const durationS = Number(opt.duration);
const connections = Number(opt.connections);
const rate = Number(opt.rate);
const SERVER_CPUS = '0,1';
const LOAD_CPU = 1;

const app = (threads) => ({
  name: `spry threads=${threads}`,
  argv: () => [process.execPath, join(REPO, 'bin', 'spry.mjs'), 'run', join(BENCH, 'apps', 'spry-threads.ts')],
  env: { THREADS: String(threads) },
});

// Each case: which server, which route wrk loads (none for idle), whether the probe runs.
// Longest warm-up of lib/probe.mjs under a blocked loop: 4 + 20 requests at ~0.65 s each.
const PROBE_WARMUP_S = 20;

const CASES = [
  { name: 'hash, pool of 1', threads: 1, load: '/hash' },
  { name: 'hash, pool of 2', threads: 2, load: '/hash', probe: true },
  { name: 'hash on the loop', threads: 2, load: '/hash-loop', probe: true },
  { name: 'idle', threads: 2, load: null, probe: true },
];

process.on('SIGINT', () => (killAllNow(), process.exit(130)));
console.error(`node threads.mjs ${process.argv.slice(2).join(' ')}`);

const samples = {};
for (let round = 0; round < rounds; round++) {
  const order = CASES.map((_, i) => CASES[(i + round) % CASES.length]);
  for (const c of order) {
    await waitForQuiet({ maxWaitS: 30 });
    const fw = app(c.threads);
    const server = await startServer(fw, { slowSeconds: 0, cpu: SERVER_CPUS, env: fw.env });
    try {
      for (const path of ['/hash', '/hash-loop']) await check(server.port, path);
      const sample = {};
      if (c.load !== null) {
        const url = `http://127.0.0.1:${server.port}${c.load}`;
        // The warm-up also starts every pool thread (each loads tsx and the module once).
        await runWrk({ url, durationS: 2, connections, nice: 10 });
        // The probe first opens its connections and warms up; with the hash on the loop each of
        // those requests waits behind a batch of hashes (~0.5 s), so the load must outlast that
        // warm-up too, or the probe would measure an idle server (it did, in the first run).
        const [load, probe] = await Promise.all([
          runWrk({ url, durationS: c.probe ? durationS + PROBE_WARMUP_S : durationS, connections, nice: 10 }),
          c.probe ? runProbe(server.port) : null,
        ]);
        Object.assign(sample, { rps: load.rps, hashP99: load.p99, non2xx: load.non2xx, fast: probe });
      } else {
        sample.fast = await runProbe(server.port);
      }
      (samples[c.name] ??= []).push(sample);
      console.error(`round ${round + 1}/${rounds} ${c.name.padEnd(17)} ${sample.rps === undefined ? '' : `${Math.round(sample.rps)} hash/s  `}${sample.fast ? `/fast_task/ p99 ${sample.fast.p99.toFixed(2)} ms` : ''}`);
    } finally {
      await server.stop();
    }
  }
}

const med = (name, pick) => median((samples[name] ?? []).map(pick));
const f = (x, d = 1) => (x === null ? 'n/a' : x.toFixed(d));

console.log(`Command: \`cd bench && node threads.mjs ${process.argv.slice(2).join(' ')}\`\n(${rounds} rounds × ${durationS} s; server on cores 0-1, wrk -t1 -c${connections} and the /fast_task/ probe at ${rate} req/s on core 1; medians over rounds)\n`);
console.log('| case | hash req/s | hash p99 ms | /fast_task/ p50 ms | /fast_task/ p99 ms | non-2xx |\n| :--- | ---: | ---: | ---: | ---: | ---: |');
for (const c of CASES) {
  const s = samples[c.name] ?? [];
  console.log(`| ${c.name} | ${f(med(c.name, (x) => x.rps), 0)} | ${f(med(c.name, (x) => x.hashP99))} | ${f(med(c.name, (x) => x.fast?.p50), 2)} | ${f(med(c.name, (x) => x.fast?.p99), 2)} | ${s.reduce((t, x) => t + (x.non2xx ?? 0) + (x.fast?.errors ?? 0), 0)} |`);
}
const speedup = med('hash, pool of 2', (x) => x.rps) / med('hash, pool of 1', (x) => x.rps);
const latency = med('hash, pool of 2', (x) => x.fast?.p99) / med('idle', (x) => x.fast?.p99);
console.log(`\n- target 2 threads >= 1.8x 1 thread: ${speedup.toFixed(2)}x, ${speedup >= 1.8 ? 'met' : 'NOT met'}`);
console.log(`- target /fast_task/ p99 under pool load <= 2x idle: ${latency.toFixed(2)}x, ${latency <= 2 ? 'met' : 'NOT met'}`);
console.log(`- contrast, /fast_task/ p99 with the hash on the loop: ${f(med('hash on the loop', (x) => x.fast?.p99))} ms`);

async function check(port, path) {
  const res = await httpGet(port, path, { timeoutMs: 10_000 });
  if (res.status !== 200 || !/^\{"hash":"[0-9a-f]{64}"\}$/.test(res.body)) throw new Error(`GET ${path} answered ${res.status} ${res.body}`);
}

// probe.mjs: /fast_task/ at a fixed rate, latency from each request's scheduled send time.
async function runProbe(port) {
  const child = spawnPinned([process.execPath, join(BENCH, 'lib', 'probe.mjs'), String(port), String(rate), String(durationS), '4'], { cpu: LOAD_CPU });
  const out = tail(child.stdout, 100_000);
  const err = tail(child.stderr);
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? sig)));
  await stopChild(child, 500);
  if (code !== 0) throw new Error(`the probe exited with ${code}\n${err()}`);
  return JSON.parse(out().trim().split('\n').at(-1));
}
