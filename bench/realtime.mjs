// WebSocket echo, open event streams and static files, issue 12's numbers:
//   node realtime.mjs --workload ws [--connections 100 --seconds 5]    spry (for await, and spry-foreach: ws.forEach) vs ws alone vs Fastify+@fastify/websocket vs FastAPI/Uvicorn
//   node realtime.mjs --workload sse [--streams 10000 --probes 500]   RSS per open stream, /fast_task/ p99 beside them
//   node realtime.mjs --workload static [--seconds 5 --warmup 1]      1 KB and 1 MB files, spry vs @fastify/static vs Starlette's StaticFiles
// --rounds N (1) repeats each measurement in rotated order and reports medians.
// --only a,b picks servers (ws, spry, spry-foreach, fastify, fastapi); --skip-fastapi leaves FastAPI out;
// --files 1kb picks static files by name. --before REF adds "spry-before", spry built from a
// snapshot of commit REF (lib/spry-snapshot.mjs), measured in the same rounds as the live tree. --profile runs each Node server under --cpu-prof and
// prints where its busy samples fell (lib/cpu-profile.mjs), the .cpuprofile kept in results/. FastAPI
// runs on the Python lib/frameworks.mjs picks (FASTAPI_PYTHON overrides), which must import fastapi and uvicorn.
// The server runs on core 0, the load on core 1 (wrk for static, bench/lib/ws-load.mjs else).
// spry runs as installed (its build, dist/, rebuilt when src/ is newer) on Node 24, the app
// compiled to JavaScript, as the other bench scripts run it (lib/spry-build.mjs).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { positiveInt } from './lib/args.mjs';
import { renderProfile, summarizeProfile } from './lib/cpu-profile.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { PYTHON } from './lib/frameworks.mjs';
import { nodeBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { processCpuTicks, readRssKb } from './lib/procfs.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { parseWrk } from './lib/wrk.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const CLK_TCK = 100;
const { values: opt } = parseArgs({
  options: {
    workload: { type: 'string', default: 'ws' },
    connections: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    streams: { type: 'string', default: '10000' },
    probes: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
    files: { type: 'string' },
    profile: { type: 'boolean', default: false },
    before: { type: 'string' },
    top: { type: 'string', default: '25' },
    'skip-fastapi': { type: 'boolean', default: false },
  },
});

// Every Node server runs on Node 24 (the harness may run on another).
const NODE = nodeBinary(24) ?? process.execPath;
const BEFORE = opt.before === undefined ? undefined : snapshotSpry(opt.before);
const SERVERS = {
  spry: () => [NODE, builtApp(REPO_DIR, join(BENCH, 'apps', 'spry-realtime.ts'))],
  // The same app, its echo through ws.forEach() rather than `for await` (SPRY_ECHO, below).
  'spry-foreach': () => [NODE, builtApp(REPO_DIR, join(BENCH, 'apps', 'spry-realtime.ts'))],
  ...(BEFORE && { 'spry-before': () => [NODE, builtApp(BEFORE.dir, join(BENCH, 'apps', 'spry-realtime.ts'))] }),
  ws: () => [NODE, join(BENCH, 'apps', 'ws-alone.mjs')],
  fastify: () => [NODE, join(BENCH, 'apps', 'fastify-realtime.mjs')],
  // Uvicorn's fastest single process (uvloop, httptools), its default WebSocket implementation;
  // per-message-deflate off and a 1 MiB message limit, as the others (the load offers deflate).
  fastapi: (port) => [
    PYTHON, '-m', 'uvicorn', '--app-dir', join(BENCH, 'apps'), 'fastapi_realtime:app',
    '--host', '127.0.0.1', '--port', String(port), '--loop', 'uvloop', '--http', 'httptools',
    '--ws-per-message-deflate', 'false', '--ws-max-size', String(1024 * 1024),
    '--log-level', 'warning', '--no-access-log',
  ],
};

/** The servers of one workload this run measures: --only and --skip-fastapi, and FastAPI only where it is installed. */
function servers(names) {
  const only = opt.only?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of only ?? []) if (!(name in SERVERS)) throw new Error(`unknown server "${name}"; known: ${Object.keys(SERVERS).join(', ')}`);
  if (BEFORE !== undefined) names = names.flatMap((name) => (name === 'spry' ? ['spry', 'spry-before'] : [name]));
  let chosen = names.filter((name) => only === undefined || only.includes(name) || (name === 'spry-before' && only.includes('spry')));
  if (opt['skip-fastapi']) chosen = chosen.filter((name) => name !== 'fastapi');
  if (chosen.includes('fastapi') && spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn'], { stdio: 'ignore' }).status !== 0) {
    console.error(`skipping fastapi: ${PYTHON} cannot import fastapi and uvicorn (set FASTAPI_PYTHON, or apt-get install -y python3-fastapi python3-uvicorn python3-httptools python3-uvloop python3-websockets)`);
    chosen = chosen.filter((name) => name !== 'fastapi');
  }
  return chosen;
}

// With --profile, a Node server's flags: --cpu-prof into a directory of its own, and (for the
// servers without signal handlers of their own) an exit on SIGTERM, so that the profile is written.
function profiled(argv, label) {
  if (!opt.profile || argv[0] !== NODE) return { argv };
  const dir = join(BENCH, 'results', `profile-realtime-${label}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return { argv: [NODE, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', join(BENCH, 'lib', 'exit-on-signal.mjs'), ...argv.slice(1)], dir };
}

async function start(name, env = {}, label = name) {
  const port = await freePort();
  const spawned = Date.now();
  const { argv, dir } = profiled(SERVERS[name](port), label);
  const idiom = name === 'spry-foreach' ? { SPRY_ECHO: 'foreach' } : {};
  const child = spawnPinned(argv, { cpu: 0, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...idiom, ...env } });
  const err = tail(child.stderr);
  for (let i = 0; i < 150; i++) {
    try {
      await httpGet(port, '/');
      return { child, port, pid: child.pid, dir, spawned };
    } catch {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not start: ${err()}`);
}

/** Stops a server; with --profile, prints its profile from `measuredAt` (a Date.now()) on. */
async function stop(server, label, measuredAt) {
  await stopChild(server.child);
  if (server.dir === undefined) return;
  const file = readdirSync(server.dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) return console.error(`${label}: no profile written into ${server.dir}`);
  // The profile's clock starts a little after the spawn: skipping from the spawn on skips all
  // of the warm-up and, at most, a few milliseconds of the measurement.
  const summary = summarizeProfile(join(server.dir, file), { skipMs: measuredAt - server.spawned });
  console.log(`\n### ${label}: ${join(server.dir, file)}\n\n${renderProfile(summary, positiveInt(opt, 'top'))}\n`);
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

// Each round runs every server once, in a rotated order (a neighbour's burst of load lands on a
// different server each round); the tables give the median of the rounds.
function rotated(names, round) {
  return names.map((_, i) => names[(i + round) % names.length]);
}

function medianBy(rows, keys) {
  const groups = new Map();
  for (const row of rows) {
    const key = keys.map((k) => row[k]).join('/');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  }
  return [...groups.values()].map((group) => {
    const merged = { ...group[0] };
    for (const [field, value] of Object.entries(group[0])) {
      if (typeof value === 'number') merged[field] = median(group.map((r) => r[field]));
    }
    return merged;
  });
}

async function wsWorkload() {
  const connections = positiveInt(opt, 'connections');
  const seconds = positiveInt(opt, 'seconds');
  const rounds = positiveInt(opt, 'rounds');
  const names = servers(['ws', 'spry', 'spry-foreach', 'fastify', 'fastapi']);
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    for (const name of rotated(names, round)) {
      const server = await start(name, {}, `ws-${name}`);
      const run = load(['echo', String(server.port), String(connections), String(seconds)]);
      await run.next('start');
      const measuredAt = Date.now();
      const before = processCpuTicks(server.pid);
      const result = await run.next('result');
      const after = processCpuTicks(server.pid);
      samples.push({ name, ...result, cpuUsPerMessage: ((after - before) * 1e6) / CLK_TCK / result.messages });
      console.error(`round ${round + 1}/${rounds} ${name}: ${Math.round(result.perSecond)} msgs/s, ${samples.at(-1).cpuUsPerMessage.toFixed(1)} µs/msg`);
      await stopChild(run.child);
      await stop(server, `ws ${name}, round ${round + 1}`, measuredAt);
    }
  }
  const rows = medianBy(samples, ['name']).sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  const floor = rows.find((r) => r.name === 'ws') ?? rows[0];
  console.log(`WebSocket echo, ${connections} connections, ${seconds} s, 32-byte messages, median of ${rounds} round(s) (server on core 0, load on core 1)\n`);
  console.log(`| server | msgs/s | vs ${floor.name} | p50 µs | p99 µs | server CPU µs/msg | ${floor.name}'s CPU / its CPU |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${Math.round(r.perSecond)} | ${(r.perSecond / floor.perSecond).toFixed(2)}x | ${Math.round(r.p50us)} | ${Math.round(r.p99us)} | ${r.cpuUsPerMessage.toFixed(1)} | ${(floor.cpuUsPerMessage / r.cpuUsPerMessage).toFixed(2)}x |`);
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
  const rounds = positiveInt(opt, 'rounds');
  const names = servers(['spry', 'fastify', 'fastapi']);
  const pick = opt.files?.split(',').map((s) => s.trim()).filter(Boolean);
  const files = ['1kb.txt', '1mb.bin'].filter((file) => pick === undefined || pick.some((p) => file.startsWith(p)));
  if (files.length === 0) throw new Error('--files picks none of 1kb.txt, 1mb.bin');
  const dir = mkdtempSync(join(tmpdir(), 'spry-bench-static-'));
  writeFileSync(join(dir, '1kb.txt'), 'x'.repeat(1024));
  writeFileSync(join(dir, '1mb.bin'), Buffer.alloc(1024 * 1024, 1));
  const samples = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of rotated(names, round)) {
        const server = await start(name, { STATIC_DIR: dir }, `static-${name}`);
        let measuredAt = 0;
        for (const file of files) {
          await wrk(server.port, `/static/${file}`, positiveInt(opt, 'warmup'));
          measuredAt ||= Date.now();
          const before = processCpuTicks(server.pid);
          const result = await wrk(server.port, `/static/${file}`, seconds);
          const after = processCpuTicks(server.pid);
          samples.push({ name, file, ...result, cpuUs: ((after - before) * 1e6) / CLK_TCK / result.requests });
          console.error(`round ${round + 1}/${rounds} ${name} ${file}: ${Math.round(result.rps)} req/s, ${samples.at(-1).cpuUs.toFixed(0)} µs/req`);
        }
        await stop(server, `static ${name} (${files.join(', ')}), round ${round + 1}`, measuredAt);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = medianBy(samples, ['name', 'file'])
    .sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || names.indexOf(a.name) - names.indexOf(b.name));
  console.log(`Static files, wrk -c50 for ${seconds} s, median of ${rounds} round(s) (server on core 0, wrk on core 1)\n`);
  console.log('| server | file | req/s | vs fastify | p99 ms | server CPU µs/req | fastify\'s CPU / its CPU |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const base = rows.find((x) => x.name === 'fastify' && x.file === r.file) ?? r;
    console.log(`| ${r.name} | ${r.file} | ${Math.round(r.rps)} | ${(r.rps / base.rps).toFixed(2)}x | ${r.p99?.toFixed(2)} | ${r.cpuUs.toFixed(0)} | ${(base.cpuUs / r.cpuUs).toFixed(2)}x |`);
  }
}

const workloads = { ws: wsWorkload, sse: sseWorkload, static: staticWorkload };
if (!(opt.workload in workloads)) throw new Error(`--workload must be one of ${Object.keys(workloads).join(', ')}`);
ensureBuilt(REPO_DIR);
if (BEFORE !== undefined) {
  console.error(`spry-before: ${BEFORE.sha.slice(0, 12)} in ${BEFORE.dir}`);
  ensureBuilt(BEFORE.dir);
}
await workloads[opt.workload]();
