// Two subjects of Bun's `/fast_task/` in one Bun process, without sockets: each is called on
// `new Request(url)` in batches, ABBA within a round (BAAB the next), and the process's CPU time
// per request (process.cpuUsage) is taken for each batch; the report is each one's median and
// the per-round differences B - A (median, and a trimmed mean with its standard error). A
// subject is `live` (this tree's seed app through `app.bun.routes["/fast_task/"]`), a git ref
// (that commit's, built in a copy: lib/spry-snapshot.mjs), `elysia` (the seed route in Elysia,
// called through its compiled `fetch`) or `json` (`Response.json` alone, the floor).
//
//   SPRY_BUN=... node bun-in-process.mjs [--a main] [--b live] [--rounds 200] [--batch 5000] [--sweep 0]
//
// --sweep BYTES reads and writes one word per cache line of a buffer that large between two
// requests, as a server's own work between two requests (parsing, system calls) pushes the
// app's code and data out of the caches. A hot loop leaves them cached and prices a path by its
// instructions alone; under wrk a path that touches more code and objects costs more. On Bun
// 1.4.5 (18:15, load 2-5): spry over `json` 361 ns with no sweep, 459 with 256 KiB, 1,206 with
// 1 MiB, where Elysia's over it was 166, 195 and 447; paired bursts of bare Bun.serve routes
// put spry 12-19% over the bare route's CPU (about 1.5 µs of 12-15), which only the swept runs
// come near. Run with the server's core to itself (taskset -c 0); the second subject loaded
// reads a few ns slower, so compare both orders.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { positiveInt } from './lib/args.mjs';
import { bunBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { median } from './lib/table.mjs';

const { values: opt } = parseArgs({
  options: {
    a: { type: 'string', default: 'main' },
    b: { type: 'string', default: 'live' },
    rounds: { type: 'string', default: '200' },
    batch: { type: 'string', default: '5000' },
    sweep: { type: 'string', default: '0' },
  },
});

const URL_ = 'http://127.0.0.1:8000/fast_task/';

if (typeof Bun === 'undefined') {
  // Under Node: build what the subjects need, then run this script again under Bun on core 0.
  const BUN = bunBinary();
  if (BUN === null) throw new Error('Bun not found: set SPRY_BUN');
  const apps = [opt.a, opt.b].map((s) => {
    if (s === 'elysia' || s === 'json') return s;
    const root = s === 'live' ? REPO_DIR : snapshotSpry(s).dir;
    ensureBuilt(root);
    return `${s}=${builtApp(root, join(root, 'examples', 'seed', 'main.ts'))}`;
  });
  const args = ['--rounds', opt.rounds, '--batch', opt.batch, '--sweep', opt.sweep];
  execFileSync('taskset', ['-c', '0', BUN, import.meta.filename, ...args, '--a', apps[0], '--b', apps[1]], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  process.exit(0);
}

async function subject(spec) {
  if (spec === 'json') return { name: 'json', fn: () => Response.json({ message: 'This is fast!' }) };
  if (spec === 'elysia') {
    const { Elysia, t } = await import('elysia');
    const app = new Elysia().get('/fast_task/', () => ({ message: 'This is fast!' }), { response: t.Object({ message: t.String() }) });
    app.compile();
    return { name: 'elysia', fn: (request) => app.fetch(request) };
  }
  const at = spec.indexOf('=');
  const { default: app } = await import(spec.slice(at + 1));
  const route = app.bun.routes['/fast_task/'];
  return { name: spec.slice(0, at), fn: (request) => route(request, undefined) };
}

const A = await subject(opt.a);
const B = await subject(opt.b);
if (A.name === B.name) B.name += ' (b)';
for (const s of [A, B]) {
  const response = await s.fn(new Request(URL_));
  if (response.status !== 200) throw new Error(`${s.name} answered ${response.status}`);
}
const batchSize = positiveInt(opt, 'batch');
const rounds = positiveInt(opt, 'rounds');
const junk = new Int32Array(Number(opt.sweep) / 4 + 16);
let swept = 0;
const sweep = () => {
  for (let i = 0; i < junk.length; i += 16) swept += junk[i]++;
};
const sweeping = Number(opt.sweep) > 0;

async function batch(fn) {
  const start = process.cpuUsage();
  let pending = [];
  for (let i = 0; i < batchSize; i++) {
    if (sweeping) sweep();
    const response = fn(new Request(URL_));
    if (response instanceof Promise) pending.push(response);
    if (i % 100 === 99 && pending.length > 0) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  const used = process.cpuUsage(start);
  // A turn of the event loop between batches: spry's blocking monitor ticks, as in a server.
  await new Promise((resolve) => setImmediate(resolve));
  return ((used.user + used.system) * 1000) / batchSize;
}

for (let i = 0; i < 5; i++) for (const s of [A, B]) await batch(s.fn);
const a = [];
const b = [];
const diffs = [];
for (let r = 0; r < rounds; r++) {
  const got = new Map([[A, 0], [B, 0]]);
  for (const s of r % 2 === 0 ? [A, B, B, A] : [B, A, A, B]) got.set(s, got.get(s) + (await batch(s.fn)) / 2);
  a.push(got.get(A));
  b.push(got.get(B));
  diffs.push(got.get(B) - got.get(A));
}
const sorted = [...diffs].sort((x, y) => x - y);
const cut = Math.floor(sorted.length / 10);
const kept = sorted.slice(cut, sorted.length - cut);
const mean = kept.reduce((x, y) => x + y, 0) / kept.length;
const se = Math.sqrt(kept.reduce((x, y) => x + (y - mean) ** 2, 0) / (kept.length - 1) / kept.length);
console.log(`/fast_task/ in one Bun process, ${rounds} rounds of ${batchSize}, sweep ${opt.sweep} B (${swept > 0 ? 'on' : 'off'}): CPU ns a request`);
console.log(`  ${A.name}: ${median(a).toFixed(0)}   ${B.name}: ${median(b).toFixed(0)}`);
console.log(`  ${B.name} - ${A.name}: median ${median(diffs).toFixed(1)}, trimmed mean ${mean.toFixed(1)} ± ${se.toFixed(1)} (se)`);
