// Two commits of spry in one process, on the workloads of before-after.mjs (fast, slow, model, inputs; `--only` picks some), without sockets:
// each app's handleNode is driven by light-my-request (the TestClient's injector), in batches
// that alternate between the two commits, and the process's CPU time per request is taken
// for each batch. Both commits share the process, its JIT and whatever else the machine is
// doing at that moment, so a difference between them shows through load that makes wrk's
// numbers on a shared machine swing by half. What it leaves out (the socket, node:http's
// parser, the access log) is the same code in both; so the ratio it gives is of the app's own
// layers, and a change there weighs more in it than over a socket.
//
//   node --conditions=spry-source in-process.mjs --before REF --after REF [--batches 20] [--batch 2000] [--only model,inputs]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { inject } from 'light-my-request';
import { positiveInt } from './lib/args.mjs';
import { snapshotSpry } from './lib/spry-snapshot.mjs';
import { median } from './lib/table.mjs';
import { WORKLOADS as TARGETS } from './lib/workloads.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    batches: { type: 'string', default: '20' },
    batch: { type: 'string', default: '2000' },
    only: { type: 'string' },
  },
});
if (opt.before === undefined || opt.after === undefined) throw new Error('usage: node --conditions=spry-source in-process.mjs --before REF --after REF [--batches N] [--batch N]');
const batches = positiveInt(opt, 'batches');
const batch = positiveInt(opt, 'batch');
process.env.SLOW_TASK_SECONDS = '0';
const ITEM = readFileSync(join(BENCH, 'apps', 'model-item.json'), 'utf8');

const variants = [];
for (const [name, ref] of [['before', opt.before], ['after', opt.after]]) {
  const { dir, sha } = snapshotSpry(ref);
  const seed = (await import(pathToFileURL(join(dir, 'examples/seed/main.ts')).href)).default;
  const model = (await import(pathToFileURL(join(dir, 'bench/apps/spry-model.ts')).href)).default;
  const inputs = (await import(pathToFileURL(join(dir, 'bench/apps/spry-inputs.ts')).href)).default;
  variants.push({ name, sha, seed, model, inputs });
}

const WORKLOADS = [
  { name: 'fast', app: 'seed', request: { method: 'GET', url: '/fast_task/' }, expect: '{"message":"This is fast!"}' },
  { name: 'slow', app: 'seed', request: { method: 'GET', url: '/slow_task/42?q=test' }, expect: '{"item_id":42,"q":"test"}' },
  { name: 'model', app: 'model', request: { method: 'POST', url: '/items/', headers: { 'content-type': 'application/json' }, payload: ITEM }, expect: JSON.stringify(JSON.parse(ITEM)) },
  { name: 'inputs', app: 'inputs', request: { method: 'GET', url: TARGETS.inputs.request.path, headers: TARGETS.inputs.request.check.headers }, expect: JSON.stringify(TARGETS.inputs.request.expected) },
].filter((w) => opt.only === undefined || opt.only.split(',').includes(w.name));

async function run(app, w, n) {
  for (let i = 0; i < n; i++) {
    const res = await inject(app.handleNode, w.request);
    if (res.statusCode !== 200 || res.payload !== w.expect) throw new Error(`${w.name}: ${res.statusCode} ${res.payload}`);
  }
}

for (const v of variants) for (const w of WORKLOADS) await run(v[w.app], w, batch); // warm-up

const samples = {};
for (let b = 0; b < batches; b++) {
  for (const w of WORKLOADS) {
    const order = b % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const start = process.cpuUsage();
      await run(v[w.app], w, batch);
      const used = process.cpuUsage(start);
      (samples[`${w.name}/${v.name}`] ??= []).push((used.user + used.system) / batch);
    }
  }
}

console.log(`Command: \`cd bench && node --conditions=spry-source in-process.mjs ${process.argv.slice(2).join(' ')}\` (before ${variants[0].sha.slice(0, 12)}, after ${variants[1].sha.slice(0, 12)}; ${batches} batches × ${batch} requests per commit and workload, alternating; Node ${process.versions.node}; medians, min–max in brackets)\n`);
console.log('| workload | before CPU µs/req | after CPU µs/req | after / before |\n| :--- | ---: | ---: | ---: |');
const spread = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
for (const w of WORKLOADS) {
  const b = samples[`${w.name}/before`];
  const a = samples[`${w.name}/after`];
  console.log(`| ${w.name} | ${median(b).toFixed(1)} (${spread(b)}) | ${median(a).toFixed(1)} (${spread(a)}) | ${(median(a) / median(b)).toFixed(3)} |`);
}
process.exit(0);
