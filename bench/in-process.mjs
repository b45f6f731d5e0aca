// Two commits of spry in one process, on the workloads of before-after.mjs (fast, slow, model, inputs; `--only` picks some), without sockets:
// each app's handleNode is driven by light-my-request (the TestClient's injector), in batches
// that alternate between the two commits, and the process's CPU time per request is taken
// for each batch. Both commits share the process, its JIT and whatever else the machine is
// doing at that moment, so a difference between them shows through load that makes wrk's
// numbers on a shared machine swing by half. What it leaves out (the socket, node:http's
// parser, the access log) is the same code in both; so the ratio it gives is of the app's own
// layers, and a change there weighs more in it than over a socket.
//
//   node --conditions=spry-source in-process.mjs --before REF --after REF [--batches 20] [--batch 2000]
//     [--only fast,slow,model,signal,nosignal,task,plain] [--alloc] [--socket]
//
// --socket sends the requests through each commit's own server instead (its serve(), on a port
// of 127.0.0.1, access log off, over one keep-alive connection per app from a minimal client in
// the same process), so that node:http and spry's server layers are measured too.
//
// --alloc reports the bytes allocated per request instead of CPU time, which no other load on
// the machine moves: the heap's growth over a batch with no collection in it (the process
// must run with --expose-gc --max-semi-space-size=256, so that a batch of --batch 500 fits
// the young generation; a batch that met a collection anyway is measured again).
//
// signal/nosignal and task/plain are the pairs of before-after.mjs (apps/spry-variant.ts with
// and without SPRY_SIGNAL=0, apps/spry-tasks.ts's /task and /plain); for each pair a second
// table gives each commit's overhead of the one over the other.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { inject } from 'light-my-request';
import { positiveInt } from './lib/args.mjs';
import { allocatedPerRequest } from './lib/heap-growth.mjs';
import { KeepAliveClient } from './lib/keep-alive-client.mjs';
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
    only: { type: 'string', default: 'fast,slow,model,inputs' },
    alloc: { type: 'boolean', default: false },
    socket: { type: 'boolean', default: false },
  },
});
if (opt.before === undefined || opt.after === undefined) throw new Error('usage: node --conditions=spry-source in-process.mjs --before REF --after REF [--batches N] [--batch N]');
const batches = positiveInt(opt, 'batches');
const batch = positiveInt(opt, 'batch');
process.env.SLOW_TASK_SECONDS = '0';
const ITEM = readFileSync(join(BENCH, 'apps', 'model-item.json'), 'utf8');

function rawRequest({ method, url, headers = {}, payload }) {
  const lines = [`${method} ${url} HTTP/1.1`, 'host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (payload !== undefined) lines.push(`content-length: ${Buffer.byteLength(payload)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${payload ?? ''}`);
}

// With --socket each variant's server is driven over one keep-alive connection
// (lib/keep-alive-client.mjs): the client's own work is a few string operations, the same for both commits.
const variants = [];
for (const [name, ref] of [['before', opt.before], ['after', opt.after]]) {
  const { dir, sha } = snapshotSpry(ref);
  const seed = (await import(pathToFileURL(join(dir, 'examples/seed/main.ts')).href)).default;
  const model = (await import(pathToFileURL(join(dir, 'bench/apps/spry-model.ts')).href)).default;
  const inputs = (await import(pathToFileURL(join(dir, 'bench/apps/spry-inputs.ts')).href)).default;
  const variant = pathToFileURL(join(dir, 'bench/apps/spry-variant.ts')).href;
  const signal = (await import(variant)).default;
  // The variant reads SPRY_SIGNAL as it loads: a second instance of the module, loaded without.
  process.env.SPRY_SIGNAL = '0';
  const nosignal = (await import(`${variant}?nosignal`)).default;
  delete process.env.SPRY_SIGNAL;
  const tasks = (await import(pathToFileURL(join(dir, 'bench/apps/spry-tasks.ts')).href)).default;
  const v = { name, sha, seed, model, inputs, signal, nosignal, tasks };
  if (opt.socket) {
    const { serve } = await import(pathToFileURL(join(dir, 'src/server/serve.ts')).href);
    for (const key of ['seed', 'model', 'inputs', 'signal', 'nosignal', 'tasks']) {
      const running = await serve(v[key], { host: '127.0.0.1', port: 0, accessLog: false, handleSignals: false });
      v[key] = { client: await KeepAliveClient.open(Number(new URL(running.url).port)), running };
    }
  }
  variants.push(v);
}

const ALL_WORKLOADS = [
  { name: 'fast', app: 'seed', request: { method: 'GET', url: '/fast_task/' }, expect: '{"message":"This is fast!"}' },
  { name: 'slow', app: 'seed', request: { method: 'GET', url: '/slow_task/42?q=test' }, expect: '{"item_id":42,"q":"test"}' },
  { name: 'model', app: 'model', request: { method: 'POST', url: '/items/', headers: { 'content-type': 'application/json' }, payload: ITEM }, expect: JSON.stringify(JSON.parse(ITEM)) },
  { name: 'inputs', app: 'inputs', request: { method: 'GET', url: TARGETS.inputs.request.path, headers: TARGETS.inputs.request.check.headers }, expect: JSON.stringify(TARGETS.inputs.request.expected) },
  { name: 'signal', app: 'signal', request: { method: 'GET', url: '/slow_task/42?q=test' }, expect: '{"item_id":42,"q":"test"}' },
  { name: 'nosignal', app: 'nosignal', request: { method: 'GET', url: '/slow_task/42?q=test' }, expect: '{"item_id":42,"q":"test"}' },
  { name: 'task', app: 'tasks', request: { method: 'GET', url: '/task' }, expect: '{"ok":true}' },
  { name: 'plain', app: 'tasks', request: { method: 'GET', url: '/plain' }, expect: '{"ok":true}' },
];
const WORKLOADS = opt.only.split(',').map((name) => {
  const w = ALL_WORKLOADS.find((x) => x.name === name);
  if (w === undefined) throw new Error(`--only: no workload ${name} (${ALL_WORKLOADS.map((x) => x.name).join(', ')})`);
  return w;
});
const PAIRS = [['signal', 'nosignal'], ['task', 'plain']].filter(([a, b]) => WORKLOADS.some((w) => w.name === a) && WORKLOADS.some((w) => w.name === b));

async function run(app, w, n) {
  for (let i = 0; i < n; i++) {
    const res = opt.socket ? await app.client.send(w.raw ??= rawRequest(w.request)) : await inject(app.handleNode, w.request);
    if (res.statusCode !== 200 || res.payload !== w.expect) throw new Error(`${w.name}: ${res.statusCode} ${res.payload}`);
  }
}

async function cpuTime(app, w) {
  const start = process.cpuUsage();
  await run(app, w, batch);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / batch;
}

const allocated = (app, w) => allocatedPerRequest(() => run(app, w, batch), batch, w.name ?? w.url);

for (const v of variants) for (const w of WORKLOADS) await run(v[w.app], w, batch); // warm-up

const samples = {};
for (let b = 0; b < batches; b++) {
  for (const w of WORKLOADS) {
    const order = b % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      (samples[`${w.name}/${v.name}`] ??= []).push(opt.alloc ? await allocated(v[w.app], w) : await cpuTime(v[w.app], w));
    }
  }
}

console.log(`Command: \`cd bench && node --conditions=spry-source in-process.mjs ${process.argv.slice(2).join(' ')}\` (before ${variants[0].sha.slice(0, 12)}, after ${variants[1].sha.slice(0, 12)}; ${batches} batches × ${batch} requests per commit and workload, alternating; Node ${process.versions.node}${opt.alloc ? '; bytes allocated per request' : ''}${opt.socket ? '; through each commit\'s serve() over a socket' : ''}; medians, min–max in brackets)\n`);
const unit = opt.alloc ? 'bytes/req' : 'CPU µs/req';
console.log(`| workload | before ${unit} | after ${unit} | after / before |\n| :--- | ---: | ---: | ---: |`);
const spread = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
for (const w of WORKLOADS) {
  const b = samples[`${w.name}/before`];
  const a = samples[`${w.name}/after`];
  console.log(`| ${w.name} | ${median(b).toFixed(1)} (${spread(b)}) | ${median(a).toFixed(1)} (${spread(a)}) | ${(median(a) / median(b)).toFixed(3)} |`);
}
if (PAIRS.length > 0) {
  console.log(`\n| pair | before: ${unit} | before: overhead | after: ${unit} | after: overhead |\n| :--- | ---: | ---: | ---: | ---: |`);
  for (const [a, b] of PAIRS) {
    const cells = variants.map((v) => {
      const [x, y] = [median(samples[`${a}/${v.name}`]), median(samples[`${b}/${v.name}`])];
      return `${x.toFixed(1)} vs ${y.toFixed(1)} | ${((x / y - 1) * 100).toFixed(1)}%`;
    });
    console.log(`| ${a} over ${b} | ${cells.join(' | ')} |`);
  }
}
// The background tasks did run (after each response, in process): one per /task request.
if (WORKLOADS.some((w) => w.name === 'task')) {
  for (const v of variants) {
    const res = opt.socket ? await v.tasks.client.send(rawRequest({ method: 'GET', url: '/counted' })) : await inject(v.tasks.handleNode, { method: 'GET', url: '/counted' });
    console.log(`${v.name}: ${JSON.parse(res.payload).counted} background tasks ran`);
  }
}
process.exit(0);
