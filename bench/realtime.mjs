// WebSocket echo, open event streams and static files, issue 12's numbers:
//   node realtime.mjs --workload ws [--connections 100 --seconds 5]    spry vs ws alone vs Fastify+@fastify/websocket
//   node realtime.mjs --workload sse [--streams 10000 --probes 500]   RSS per open stream, /fast_task/ p99 beside them
//   node realtime.mjs --workload static [--seconds 5]                 1 KB and 1 MB files, spry vs @fastify/static
// The server runs on core 0, the load on core 1 (wrk for static, bench/lib/ws-load.mjs else).
// Run it with Node 24 (../node_modules/.bin/node): the spry app is TypeScript, run as it is.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { processCpuTicks, readRssKb } from './lib/procfs.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { parseWrk } from './lib/wrk.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const CLK_TCK = 100;
const { values: opt } = parseArgs({
  options: {
    workload: { type: 'string', default: 'ws' },
    connections: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '5' },
    streams: { type: 'string', default: '10000' },
    probes: { type: 'string', default: '500' },
  },
});

const SERVERS = {
  spry: () => [process.execPath, join(BENCH, 'apps', 'spry-realtime.ts')],
  ws: () => [process.execPath, join(BENCH, 'apps', 'ws-alone.mjs')],
  fastify: () => [process.execPath, join(BENCH, 'apps', 'fastify-realtime.mjs')],
};

async function start(name, env = {}) {
  const port = await freePort();
  const child = spawnPinned(SERVERS[name](), { cpu: 0, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...env } });
  const err = tail(child.stderr);
  for (let i = 0; i < 150; i++) {
    try {
      await httpGet(port, '/');
      return { child, port, pid: child.pid };
    } catch {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not start: ${err()}`);
}

function load(args) {
  const child = spawnPinned([process.execPath, join(BENCH, 'lib', 'ws-load.mjs'), ...args], { cpu: 1, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  let buffer = '';
  const waiters = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) !== -1) {
      const line = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      lines.push(line);
      for (const w of waiters.splice(0)) w();
    }
  });
  const err = tail(child.stderr);
  const next = (event) => new Promise((resolve, reject) => {
    const check = () => {
      const found = lines.find((l) => l.event === event);
      if (found) return resolve(found);
      if (child.exitCode !== null) return reject(new Error(`load exited: ${err()}`));
      waiters.push(check);
    };
    child.once('exit', check);
    check();
  });
  return { child, next };
}

async function wsWorkload() {
  const connections = positiveInt(opt, 'connections');
  const seconds = positiveInt(opt, 'seconds');
  const rows = [];
  for (const name of ['ws', 'spry', 'fastify']) {
    const server = await start(name);
    const run = load(['echo', String(server.port), String(connections), String(seconds)]);
    await run.next('start');
    const before = processCpuTicks(server.pid);
    const result = await run.next('result');
    const after = processCpuTicks(server.pid);
    rows.push({ name, ...result, cpuUsPerMessage: ((after - before) * 1e6) / CLK_TCK / result.messages });
    await stopChild(run.child);
    await stopChild(server.child);
  }
  const floor = rows.find((r) => r.name === 'ws');
  console.log(`WebSocket echo, ${connections} connections, ${seconds} s, 32-byte messages (server on core 0, load on core 1)\n`);
  console.log('| server | msgs/s | vs ws | p50 µs | p99 µs | server CPU µs/msg |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${Math.round(r.perSecond)} | ${(r.perSecond / floor.perSecond).toFixed(2)}x | ${Math.round(r.p50us)} | ${Math.round(r.p99us)} | ${r.cpuUsPerMessage.toFixed(1)} |`);
  }
}

async function sseWorkload() {
  const streams = positiveInt(opt, 'streams');
  const probes = positiveInt(opt, 'probes');
  const server = await start('spry');
  const idle = readRssKb(server.pid);
  const run = load(['streams', String(server.port), String(streams), String(probes)]);
  await run.next('open');
  await new Promise((r) => setTimeout(r, 1000));
  const held = readRssKb(server.pid);
  run.child.stdin.write('go\n');
  const result = await run.next('result');
  await stopChild(run.child);
  await stopChild(server.child);
  console.log(`${streams} open event streams on one spry process\n`);
  console.log('| RSS idle | RSS with the streams | per stream | /fast_task/ p50 | p99 |');
  console.log('|---:|---:|---:|---:|---:|');
  console.log(`| ${(idle / 1024).toFixed(0)} MiB | ${(held / 1024).toFixed(0)} MiB | ${(((held - idle) * 1024) / streams / 1024).toFixed(1)} KiB | ${(result.p50us / 1000).toFixed(2)} ms | ${(result.p99us / 1000).toFixed(2)} ms |`);
}

function wrk(port, path, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawnPinned(['wrk', '-t1', '-c50', `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}${path}`], { cpu: 1 });
    const out = tail(child.stdout, 20_000);
    child.once('exit', () => resolve(parseWrk(out())));
    child.once('error', reject);
  });
}

async function staticWorkload() {
  const seconds = positiveInt(opt, 'seconds');
  const dir = mkdtempSync(join(tmpdir(), 'spry-bench-static-'));
  writeFileSync(join(dir, '1kb.txt'), 'x'.repeat(1024));
  writeFileSync(join(dir, '1mb.bin'), Buffer.alloc(1024 * 1024, 1));
  const rows = [];
  try {
    for (const name of ['spry', 'fastify']) {
      const server = await start(name, { STATIC_DIR: dir });
      for (const file of ['1kb.txt', '1mb.bin']) {
        await wrk(server.port, `/static/${file}`, 1);
        const before = processCpuTicks(server.pid);
        const result = await wrk(server.port, `/static/${file}`, seconds);
        const after = processCpuTicks(server.pid);
        rows.push({ name, file, ...result, cpuUs: ((after - before) * 1e6) / CLK_TCK / result.requests });
      }
      await stopChild(server.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Static files, wrk -c50 for ${seconds} s (server on core 0, wrk on core 1)\n`);
  console.log('| server | file | req/s | p99 ms | server CPU µs/req |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${r.file} | ${Math.round(r.rps)} | ${r.p99?.toFixed(2)} | ${r.cpuUs.toFixed(0)} |`);
}

const workloads = { ws: wsWorkload, sse: sseWorkload, static: staticWorkload };
if (!(opt.workload in workloads)) throw new Error(`--workload must be one of ${Object.keys(workloads).join(', ')}`);
await workloads[opt.workload]();
