// Issue 5's multi-process number: /fast_task/ of the seed app served by `spry run --workers 2`
// against one `spry run` process. Target: >= 1.7x.
//
// Pinning, and why the target is out of reach on this machine: it has 2 cores, and 2 workers
// only beat 1 process with a core each, so the server gets both (taskset 0,1) in both cases;
// wrk (one thread, nice 10) shares core 1 with it. A single process uses about one core and
// leaves wrk the other; two workers compete with wrk for core 1, so what wrk needs comes out of
// the second worker's share, and the ratio is capped well under 2x (about 1 + what wrk leaves
// of a core). The same pinning for both cases, so the ratio compares like with like; a fair
// verdict on the 1.7x target needs a machine with a third core for wrk (the lead's run).
//
//   node workers.mjs [--rounds 3] [--duration 10] [--connections 100] [--workers 2]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllNow } from './lib/children.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { checkResponse, startServer } from './lib/start-server.mjs';
import { runWrk } from './lib/wrk.mjs';
import { positiveInt } from './lib/args.mjs';
import { median } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    workers: { type: 'string', default: '2' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log('node workers.mjs [--rounds N] [--duration S] [--connections C] [--workers N]');
  process.exit(0);
}
const rounds = positiveInt(opt, 'rounds');
const durationS = positiveInt(opt, 'duration');
const connections = positiveInt(opt, 'connections');
const workers = positiveInt(opt, 'workers');
const SERVER_CPUS = '0,1';
const TARGET = 1.7;
const PATH = '/fast_task/';

const seed = (extra) => () => [process.execPath, join(REPO, 'bin', 'spry.mjs'), 'run', join(REPO, 'examples', 'seed', 'main.ts'), ...extra];
const CASES = [
  { name: '1 process', argv: seed([]) },
  { name: `--workers ${workers}`, argv: seed(['--workers', String(workers)]) },
];

process.on('SIGINT', () => (killAllNow(), process.exit(130)));
console.error(`node workers.mjs ${process.argv.slice(2).join(' ')}`);

const samples = {};
for (let round = 0; round < rounds; round++) {
  // Alternating order, so a drift of the machine does not always land on the same case.
  const order = round % 2 === 0 ? CASES : [...CASES].reverse();
  for (const c of order) {
    await waitForQuiet({ maxWaitS: 30 });
    const server = await startServer(c, { slowSeconds: 5, cpu: SERVER_CPUS });
    try {
      await checkResponse(server, PATH, { message: 'This is fast!' });
      const url = `http://127.0.0.1:${server.port}${PATH}`;
      // The warm-up also gets every worker's JIT going: round-robin gives each its share.
      await runWrk({ url, durationS: 2, connections, nice: 10 });
      const result = await runWrk({ url, durationS, connections, nice: 10 });
      (samples[c.name] ??= []).push(result);
      console.error(`round ${round + 1}/${rounds} ${c.name.padEnd(12)} ${Math.round(result.rps)} req/s  p99 ${result.p99} ms  non-2xx ${result.non2xx}  socket errors ${result.socketErrors}`);
    } finally {
      await server.stop();
    }
  }
}

const med = (name, pick) => median((samples[name] ?? []).map(pick));
const f = (x, d = 1) => (x === null ? 'n/a' : x.toFixed(d));

console.log(`Command: \`cd bench && node workers.mjs ${process.argv.slice(2).join(' ')}\`\n(${rounds} rounds × ${durationS} s; server on cores 0-1, wrk -t1 -c${connections} at nice 10 on core 1; medians over rounds)\n`);
console.log('| case | req/s | min–max req/s | p50 ms | p99 ms | non-2xx + socket errors |\n| :--- | ---: | ---: | ---: | ---: | ---: |');
for (const c of CASES) {
  const s = samples[c.name] ?? [];
  const rps = s.map((x) => x.rps);
  console.log(`| ${c.name} | ${f(med(c.name, (x) => x.rps), 0)} | ${f(Math.min(...rps), 0)}–${f(Math.max(...rps), 0)} | ${f(med(c.name, (x) => x.p50), 2)} | ${f(med(c.name, (x) => x.p99), 2)} | ${s.reduce((t, x) => t + x.non2xx + x.socketErrors, 0)} |`);
}
const ratio = med(CASES[1].name, (x) => x.rps) / med(CASES[0].name, (x) => x.rps);
console.log(`\n- target --workers ${workers} >= ${TARGET}x one process: ${ratio.toFixed(2)}x, ${ratio >= TARGET ? 'met' : 'NOT met'}`);
console.log('- caveat: on 2 cores wrk takes part of the second worker\'s core (see the header of workers.mjs); judge the target on a machine with a core to spare for wrk.');
