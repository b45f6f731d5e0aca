// Where the bytes a request allocates come from: V8's sampling heap profiler, counting the
// objects collected since too, over a fixed number of keep-alive requests to one server run in
// this process (spry's serve() of the seed app, access log off; or an anchor app), by function.
//
//   node --conditions=spry-source alloc-sites.mjs [--server spry|raw-node|fastify] [--url /fast_task/] [--requests 20000] [--top 40]
//     [--app spry-model.ts|fastify-model.mjs] [--body apps/model-item.json]
//
// --app serves another app of bench/apps (a spry one with the live tree's serve(), access log
// off); --body POSTs that file's text as JSON (`--app spry-model.ts --url /items/ --body
// apps/model-item.json` is the targets' model workload).
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    server: { type: 'string', default: 'spry' },
    url: { type: 'string', default: '/fast_task/' },
    requests: { type: 'string', default: '20000' },
    top: { type: 'string', default: '40' },
    callers: { type: 'string' },
    app: { type: 'string' },
    body: { type: 'string' },
  },
});
process.env.SLOW_TASK_SECONDS = '0';
process.env.NODE_ENV = 'production';
process.env.HOST = '127.0.0.1';

const freePort = () => new Promise((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

let port;
if (opt.app?.endsWith('.ts')) {
  // Its types stripped into the repository's package scope, where its `import "spry"` is the
  // live tree's src/ under --conditions=spry-source (lib/spry-build.mjs).
  const { builtApp } = await import('./lib/spry-build.mjs');
  const app = (await import(pathToFileURL(builtApp(join(BENCH, '..'), join(BENCH, 'apps', opt.app))).href)).default;
  const { serve } = await import(pathToFileURL(join(BENCH, '..', 'src/server/serve.ts')).href);
  const running = await serve(app, { host: '127.0.0.1', port: 0, accessLog: false, handleSignals: false });
  port = Number(new URL(running.url).port);
} else if (opt.server === 'spry' && opt.app === undefined) {
  const seed = (await import(pathToFileURL(join(BENCH, '..', 'examples/seed/main.ts')).href)).default;
  const { serve } = await import(pathToFileURL(join(BENCH, '..', 'src/server/serve.ts')).href);
  const running = await serve(seed, { host: '127.0.0.1', port: 0, accessLog: false, handleSignals: false });
  port = Number(new URL(running.url).port);
} else {
  port = await freePort();
  process.env.PORT = String(port);
  await import(pathToFileURL(join(BENCH, 'apps', opt.app ?? `${opt.server}.mjs`)).href);
  await new Promise((r) => setTimeout(r, 200));
}

const body = opt.body === undefined ? undefined : readFileSync(join(BENCH, opt.body), 'utf8').trim();
const request = Buffer.from(body === undefined
  ? `GET ${opt.url} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`
  : `POST ${opt.url} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
const socket = await new Promise((resolve, reject) => {
  const s = connect(port, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});
// One request at a time; a response is complete once its body (Content-Length) is in.
let pending = '';
let done;
socket.setEncoding('latin1');
socket.on('data', (chunk) => {
  pending += chunk;
  const end = pending.indexOf('\r\n\r\n');
  if (end < 0) return;
  const length = Number(/content-length: *(\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
  if (pending.length < end + 4 + length) return;
  pending = pending.slice(end + 4 + length);
  done();
});
const send = () => new Promise((resolve) => {
  done = resolve;
  socket.write(request);
});
const n = Number(opt.requests);
for (let i = 0; i < 20000; i++) await send();

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
for (let i = 0; i < n; i++) await send();
const { profile } = await session.post('HeapProfiler.stopSampling');

const bySite = new Map();
let total = 0;
// --callers NAME: the call paths of the sites whose name starts with NAME, three frames up.
const callers = new Map();
const label = (f) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${f.lineNumber + 1}`;
const walk = (node, path) => {
  const key = label(node.callFrame);
  bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  if (opt.callers !== undefined && key.startsWith(opt.callers) && node.selfSize > 0) {
    const chain = [...path.slice(-3), key].join(' < ');
    callers.set(chain, (callers.get(chain) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, [...path, key]);
};
walk(profile.head, []);
console.log(`${opt.app ?? opt.server} ${opt.url}: about ${Math.round(total / n)} bytes allocated per request (sampled every 128 bytes, ${n} requests, the client's share included)\n`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) {
  console.log(`${String(Math.round(bytes / n)).padStart(6)}  ${site}`);
}
if (opt.callers !== undefined) {
  console.log(`\ncallers of ${opt.callers}:`);
  for (const [chain, bytes] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`${String(Math.round(bytes / n)).padStart(6)}  ${chain}`);
}
process.exit(0);
