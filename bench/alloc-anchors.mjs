// Bytes allocated per request by spry's server (the live tree's serve(), access log off), raw
// node:http (apps/raw-node.mjs) and Fastify (apps/fastify.mjs), all in this one process, each
// driven over its own keep-alive connection by the same minimal client: the heap's growth over a
// batch with no collection in it, which no other load on the machine moves. The client's own
// allocations are in every figure alike, so the differences are the servers'. `model` POSTs
// apps/model-item.json to apps/spry-model.ts and apps/fastify-model.mjs (the targets' model
// workload, lib/workloads.mjs), which are started only when it is asked for.
//
//   node --expose-gc --max-semi-space-size=256 --conditions=spry-source alloc-anchors.mjs [--only fast,slow,model] [--batches 10] [--batch 500]
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { positiveInt } from './lib/args.mjs';
import { allocatedPerRequest } from './lib/heap-growth.mjs';
import { KeepAliveClient } from './lib/keep-alive-client.mjs';
import { builtApp } from './lib/spry-build.mjs';
import { median } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    only: { type: 'string', default: 'fast,slow' },
    batches: { type: 'string', default: '10' },
    batch: { type: 'string', default: '500' },
  },
});
if (typeof globalThis.gc !== 'function') throw new Error('needs node --expose-gc --max-semi-space-size=256');
process.env.SLOW_TASK_SECONDS = '0';
process.env.NODE_ENV = 'production';
process.env.HOST = '127.0.0.1';
const batches = positiveInt(opt, 'batches');
const batch = positiveInt(opt, 'batch');

const freePort = () => new Promise((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

const names = opt.only.split(',');
const servers = {};
const listen = async (file) => {
  const port = await freePort();
  process.env.PORT = String(port);
  const log = console.log;
  console.log = () => {};
  await import(pathToFileURL(join(BENCH, 'apps', file)).href);
  await new Promise((r) => setTimeout(r, 100));
  console.log = log;
  return KeepAliveClient.open(port);
};
if (names.some((n) => n !== 'model')) {
  const seed = (await import(pathToFileURL(join(BENCH, '..', 'examples/seed/main.ts')).href)).default;
  const { serve } = await import(pathToFileURL(join(BENCH, '..', 'src/server/serve.ts')).href);
  const running = await serve(seed, { host: '127.0.0.1', port: 0, accessLog: false, handleSignals: false });
  servers.spry = await KeepAliveClient.open(Number(new URL(running.url).port));
  servers['raw-node'] = await listen('raw-node.mjs');
  servers.fastify = await listen('fastify.mjs');
}
// The model apps: their own servers, under the names of the seed's (a workload's table row).
const modelServers = {};
if (names.includes('model')) {
  // Its types stripped into the repository's package scope, where its `import "spry"` is the
  // live tree's src/ under --conditions=spry-source (lib/spry-build.mjs).
  const app = (await import(pathToFileURL(builtApp(join(BENCH, '..'), join(BENCH, 'apps', 'spry-model.ts'))).href)).default;
  const { serve } = await import(pathToFileURL(join(BENCH, '..', 'src/server/serve.ts')).href);
  const running = await serve(app, { host: '127.0.0.1', port: 0, accessLog: false, handleSignals: false });
  modelServers.spry = await KeepAliveClient.open(Number(new URL(running.url).port));
  modelServers.fastify = await listen('fastify-model.mjs');
}
const ITEM = readFileSync(join(BENCH, 'apps', 'model-item.json'), 'utf8').trim();

const WORKLOADS = {
  fast: { url: '/fast_task/', expect: '{"message":"This is fast!"}' },
  slow: { url: '/slow_task/42?q=test', expect: '{"item_id":42,"q":"test"}' },
  model: { method: 'POST', url: '/items/', body: ITEM, expect: ITEM, servers: modelServers },
};
for (const n of names) if (!(n in WORKLOADS)) throw new Error(`--only: no workload ${n}`);
const serversOf = (n) => WORKLOADS[n].servers ?? servers;

async function run(client, w, n) {
  const head = w.body === undefined ? '' : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(w.body)}\r\n`;
  const bytes = (w.bytes ??= Buffer.from(`${w.method ?? 'GET'} ${w.url} HTTP/1.1\r\nhost: 127.0.0.1\r\n${head}\r\n${w.body ?? ''}`));
  for (let i = 0; i < n; i++) {
    const res = await client.send(bytes);
    if (res.statusCode !== 200 || res.payload !== w.expect) throw new Error(`${w.url}: ${res.statusCode} ${res.payload}`);
  }
}

const allocated = (client, w) => allocatedPerRequest(() => run(client, w, batch), batch, w.name ?? w.url);

for (const n of names) for (const client of Object.values(serversOf(n))) await run(client, WORKLOADS[n], 5000);
const samples = {};
for (let b = 0; b < batches; b++) {
  for (const n of names) {
    for (const [server, client] of Object.entries(serversOf(n))) (samples[`${n}/${server}`] ??= []).push(await allocated(client, WORKLOADS[n]));
  }
}
console.log(`Bytes allocated per request (client included, the same for every server; ${batches} batches × ${batch}; Node ${process.versions.node}; medians, min–max)\n`);
const columns = [...new Set(names.flatMap((n) => Object.keys(serversOf(n))))];
console.log(`| workload | ${columns.join(' | ')} |\n| :--- |${columns.map(() => ' ---: |').join('')}`);
const cell = (xs) => (xs === undefined ? '' : `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`);
for (const n of names) console.log(`| ${n} | ${columns.map((s) => cell(samples[`${n}/${s}`])).join(' | ')} |`);
process.exit(0);
