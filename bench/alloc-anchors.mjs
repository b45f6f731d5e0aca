// Bytes allocated per request by spry's server (the live tree's serve(), access log off), raw
// node:http (apps/raw-node.mjs) and Fastify (apps/fastify.mjs), all in this one process, each
// driven over its own keep-alive connection by the same minimal client: the heap's growth over a
// batch with no collection in it, which no other load on the machine moves. The client's own
// allocations are in every figure alike, so the differences are the servers'.
//
//   node --expose-gc --max-semi-space-size=256 --conditions=spry-source alloc-anchors.mjs [--only fast,slow] [--batches 10] [--batch 500]
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { positiveInt } from './lib/args.mjs';
import { allocatedPerRequest } from './lib/heap-growth.mjs';
import { KeepAliveClient } from './lib/keep-alive-client.mjs';
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

const servers = {};
{
  const seed = (await import(pathToFileURL(join(BENCH, '..', 'examples/seed/main.ts')).href)).default;
  const { serve } = await import(pathToFileURL(join(BENCH, '..', 'src/server/serve.ts')).href);
  const running = await serve(seed, { host: '127.0.0.1', port: 0, accessLog: false, handleSignals: false });
  servers.spry = await KeepAliveClient.open(Number(new URL(running.url).port));
}
for (const [name, file] of [['raw-node', 'raw-node.mjs'], ['fastify', 'fastify.mjs']]) {
  const port = await freePort();
  process.env.PORT = String(port);
  const log = console.log;
  console.log = () => {};
  await import(pathToFileURL(join(BENCH, 'apps', file)).href);
  await new Promise((r) => setTimeout(r, 100));
  console.log = log;
  servers[name] = await KeepAliveClient.open(port);
}

const WORKLOADS = {
  fast: { url: '/fast_task/', expect: '{"message":"This is fast!"}' },
  slow: { url: '/slow_task/42?q=test', expect: '{"item_id":42,"q":"test"}' },
};
const names = opt.only.split(',');
for (const n of names) if (!(n in WORKLOADS)) throw new Error(`--only: no workload ${n}`);

async function run(client, w, n) {
  const bytes = (w.bytes ??= Buffer.from(`GET ${w.url} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`));
  for (let i = 0; i < n; i++) {
    const res = await client.send(bytes);
    if (res.statusCode !== 200 || res.payload !== w.expect) throw new Error(`${w.url}: ${res.statusCode} ${res.payload}`);
  }
}

const allocated = (client, w) => allocatedPerRequest(() => run(client, w, batch), batch, w.name ?? w.url);

for (const n of names) for (const client of Object.values(servers)) await run(client, WORKLOADS[n], 5000);
const samples = {};
for (let b = 0; b < batches; b++) {
  for (const n of names) {
    for (const [server, client] of Object.entries(servers)) (samples[`${n}/${server}`] ??= []).push(await allocated(client, WORKLOADS[n]));
  }
}
console.log(`Bytes allocated per request (client included, the same for every server; ${batches} batches × ${batch}; Node ${process.versions.node}; medians, min–max)\n`);
console.log(`| workload | ${Object.keys(servers).join(' | ')} |\n| :--- |${Object.keys(servers).map(() => ' ---: |').join('')}`);
const cell = (xs) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
for (const n of names) console.log(`| ${n} | ${Object.keys(servers).map((s) => cell(samples[`${n}/${s}`])).join(' | ')} |`);
process.exit(0);
