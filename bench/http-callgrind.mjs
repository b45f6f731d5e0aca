// Instructions per HTTP request, counted by valgrind's callgrind in the server process (every
// thread): a figure the machine's load does not move, for changes too small for CPU timings on a
// shared machine. Each server runs under callgrind with instrumentation off; a warm-up's requests
// let V8 compile the hot path, then the counting is switched on for a fixed number of keep-alive
// requests (spread over the connections, each sending one request and waiting for its response),
// and the total is divided by that number: for the main thread (the request path itself, with
// the collections it runs there) and for all threads (V8's background compilation and GC
// helpers too, which a warm-up too short for the JIT leaves busy).
//
// `spry-log` is spry with its access log on (stdout a pipe this script reads and discards);
// `--log-flush S` sets its SPRY_LOG_FLUSH: under callgrind a server answers some 50 times slower,
// so the default tenth of a second gathers a few lines a write where a busy server gathers 60.
//
// `--workload model` and `inputs` are targets.mjs's (lib/workloads.mjs): spry serves
// apps/spry-model.ts or apps/spry-inputs.ts and `fastify` their Fastify twin, with the same
// request (the POSTed item, the headers and cookie); raw node:http has no such app. `spry-nosignal`
// is the seed app of apps/spry-variant.ts whose /slow_task/ handler takes no signal: with
// `--workload slow --only spry,spry-nosignal` it prices the signal. `--workload tasks` serves
// apps/spry-tasks.ts: `spry-task` asks for its /task, whose handler adds one in-process
// background task, and `spry-notask` for its /plain, the same route without (targets.mjs's
// tasks row, by instructions instead of paired timings).
//
//   node http-callgrind.mjs [--workload fast|slow|model|inputs|tasks] [--only spry,spry-log,spry-nosignal,raw-node,fastify]
//                           [--before REF] [--runs 2] [--warmup 20000] [--requests 5000] [--connections 10] [--log-flush S]
//                           [--functions N] [--node-flags=no-concurrent-recompilation,...]
//   node http-callgrind.mjs --runtime bun [--workload fast|slow] [--only spry,spry-fetch,elysia,bare] [--before REF] ...
//
// `--runtime bun` runs bun-ab.mjs's servers on Bun (SPRY_BUN, lib/hosts.mjs): spry's seed app
// through `...app.bun` (apps/bun-spry.mjs; `spry-fetch` through app.fetch alone), Elysia
// (apps/bun-elysia.mjs) and `bare`, Bun.serve's own routes answering the seed's JSON with no
// framework (apps/bun-bare.mjs), the floor under both. Bun's binary names none of its collector's
// functions to callgrind: there the columns outside the collector repeat the whole counts.
//
// JIT timing moves the count by a few percent between runs: compare several runs of each.
// Collections move it more: which of them fall among the measured requests decides tens of
// thousands of instructions a request (at 50 connections a major collection, started by V8's
// memory reducer, which takes the slowed-down server's allocation rate for an idle one, was
// about 25k of spry's 93k in all threads), so each run also reports the count outside the
// garbage collector and the collections (scavenges, major ones) it met.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { bunBinary, nodeBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { gcInstructions } from './lib/callgrind-gc.mjs';
import { costByFunction } from './lib/callgrind-functions.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    workload: { type: 'string', default: 'fast' },
    only: { type: 'string' },
    before: { type: 'string' },
    runs: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '20000' },
    requests: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '10' },
    'log-flush': { type: 'string' },
    runtime: { type: 'string', default: 'node' },
    functions: { type: 'string' },
    'node-flags': { type: 'string' },
  },
});
if (opt.runtime !== 'node' && opt.runtime !== 'bun') throw new Error('--runtime is node or bun');
const onBun = opt.runtime === 'bun';
// --node-flags=a,b: flags for each server's node command line, given as `--a --b` (or as written,
// when they start with a dash). Some V8 flags node refuses in NODE_OPTIONS, among them
// --no-concurrent-recompilation, which makes both trees of a --before compare compile on the main
// thread at the same requests.
const nodeFlags = (opt['node-flags'] ?? '').split(',').filter((f) => f !== '').map((f) => (f.startsWith('-') ? f : `--${f}`));
if (onBun && nodeFlags.length > 0) throw new Error('--node-flags is for --runtime node');
const SEED = ['examples', 'seed', 'main.ts'];
const ITEM = readFileSync(join(BENCH, 'apps', 'model-item.json'), 'utf8').trim();
// Each workload's request, and the apps that serve it: spry's (a path inside the spry root, so
// that a --before snapshot serves its own) and Fastify's.
const WORKLOADS = {
  fast: { path: '/fast_task/', spry: SEED, fastify: 'fastify.mjs' },
  slow: { path: '/slow_task/42?q=test', spry: SEED, fastify: 'fastify.mjs' },
  model: { path: '/items/', method: 'POST', headers: { 'content-type': 'application/json' }, body: ITEM, spry: ['bench', 'apps', 'spry-model.ts'], fastify: 'fastify-model.mjs' },
  inputs: { path: '/items/7', headers: { 'x-token': 'secret-token', cookie: 'session=abc123', 'user-agent': 'wrk' }, spry: ['bench', 'apps', 'spry-inputs.ts'], fastify: 'fastify-inputs.mjs' },
  tasks: { path: '/task', spry: ['bench', 'apps', 'spry-tasks.ts'], only: 'spry-task,spry-notask' },
};
const workload = WORKLOADS[opt.workload];
if (workload === undefined) throw new Error(`unknown workload "${opt.workload}"; known: ${Object.keys(WORKLOADS).join(', ')}`);
const { path, method = 'GET', headers = {}, body } = workload;
const NODE = nodeBinary(24) ?? process.execPath;
const BUN = onBun ? bunBinary() : null;
if (onBun && BUN === null) throw new Error('Bun not found: set SPRY_BUN');
if (onBun && workload.spry !== SEED) throw new Error('--runtime bun serves the seed app: --workload fast or slow');
const spryArgv = (dir, log = false, app = workload.spry) => (ensureBuilt(dir), [join(dir, 'bin', 'spry.mjs'), 'run', builtApp(dir, join(dir, ...app)), ...(log ? [] : ['--no-access-log'])]);
const VARIANT = ['bench', 'apps', 'spry-variant.ts'];
const before = opt.before === undefined ? undefined : snapshotSpry(opt.before);
// On Bun, a server's argv starts with Bun's binary (node's with node's), and BUN_ENV gives its variables.
const bunSpry = (dir) => (ensureBuilt(dir), [BUN, join(BENCH, 'apps', 'bun-spry.mjs')]);
const BUN_SERVERS = {
  spry: () => bunSpry(REPO_DIR),
  'spry-fetch': () => bunSpry(REPO_DIR),
  elysia: () => [BUN, join(BENCH, 'apps', 'bun-elysia.mjs')],
  bare: () => [BUN, join(BENCH, 'apps', 'bun-bare.mjs')],
  ...(before && { 'spry-before': () => bunSpry(before.dir), 'spry-fetch-before': () => bunSpry(before.dir) }),
};
const seedOf = (dir) => builtApp(dir, join(dir, ...SEED));
// Every Bun server compiles on its main thread (JSC's useConcurrentJIT off): with the compiler's
// threads racing callgrind's slowed-down main thread, the hot code reached its last tier at a
// different request of each run, and counts of one tree moved by a third (28.7k to 37.4k).
const BUN_JIT = { BUN_JSC_useConcurrentJIT: '0' };
const BUN_ENV = {
  elysia: () => BUN_JIT,
  bare: () => BUN_JIT,
  spry: () => ({ ...BUN_JIT, SPRY_APP: seedOf(REPO_DIR) }),
  'spry-fetch': () => ({ ...BUN_JIT, SPRY_APP: seedOf(REPO_DIR), SPRY_BUN_FETCH: '1' }),
  ...(before && {
    'spry-before': () => ({ ...BUN_JIT, SPRY_APP: seedOf(before.dir) }),
    'spry-fetch-before': () => ({ ...BUN_JIT, SPRY_APP: seedOf(before.dir), SPRY_BUN_FETCH: '1' }),
  }),
};
const SERVERS = onBun ? BUN_SERVERS : {
  spry: () => spryArgv(REPO_DIR),
  'raw-node': () => [join(BENCH, 'apps', 'raw-node.mjs')],
  fastify: () => [join(BENCH, 'apps', workload.fastify)],
  'spry-log': () => spryArgv(REPO_DIR, true),
  'spry-nosignal': () => spryArgv(REPO_DIR, false, VARIANT),
  'spry-task': () => spryArgv(REPO_DIR),
  'spry-notask': () => spryArgv(REPO_DIR),
  ...(before && {
    'spry-before': () => spryArgv(before.dir),
    'spry-log-before': () => spryArgv(before.dir, true),
    'spry-nosignal-before': () => spryArgv(before.dir, false, VARIANT),
    'spry-task-before': () => spryArgv(before.dir),
    'spry-notask-before': () => spryArgv(before.dir),
  }),
};
// Only spry-nosignal needs its variable; the others never read it.
const SERVER_ENV = { 'spry-nosignal': { SPRY_SIGNAL: '0' }, 'spry-nosignal-before': { SPRY_SIGNAL: '0' } };
// The route a server is asked for, where it is not the workload's: spry-tasks.ts's without the task.
const SERVER_PATH = { 'spry-notask': '/plain', 'spry-notask-before': '/plain' };
const pathOf = (name) => SERVER_PATH[name] ?? path;
// --functions N: each run also lists the main thread's N costliest functions (self cost a
// request), JavaScript named by node's --perf-basic-prof map (lib/callgrind-functions.mjs).
const byFunction = opt.functions !== undefined && !onBun;
const only = opt.only ?? workload.only ?? (onBun ? 'spry,elysia,bare' : 'spry,raw-node,fastify');
const names = only.split(',').flatMap((n) => (before && `${n}-before` in SERVERS ? [n, `${n}-before`] : [n]));
for (const name of names) if (!(name in SERVERS)) throw new Error(`unknown server "${name}"; known: ${Object.keys(SERVERS).join(', ')}`);

// valgrind and callgrind_control name their meeting files after LOGNAME and HOST: the same here.
const VGDB_ENV = { LOGNAME: 'bench', HOST: '127.0.0.1' }; // HOST: the apps' listening address too
const control = (...args) => execFileSync('callgrind_control', args, { encoding: 'utf8', env: { ...process.env, ...VGDB_ENV } });

async function start(name, dir) {
  const port = await freePort();
  const argv = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`, ...(onBun ? [] : [NODE, ...nodeFlags, ...(byFunction ? ['--perf-basic-prof', `--logfile=${join(dir, 'v8.log')}`, '--no-logfile-per-isolate'] : [])]), ...SERVERS[name]()];
  const env = { ...VGDB_ENV, PORT: String(port), NODE_ENV: 'production', SLOW_TASK_SECONDS: '0', ...SERVER_ENV[name], ...(onBun && BUN_ENV[name]?.()), ...(opt['log-flush'] !== undefined && { SPRY_LOG_FLUSH: opt['log-flush'] }) };
  const child = spawnPinned(argv, { cpu: 0, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = tail(child.stderr);
  // The access lines: read (as a collector would) and dropped. The warnings among them are
  // counted: under callgrind a turn of the loop that serves every connection once can outlast
  // the blocking monitor's 100 ms at 50 connections, and each such turn's warning is a log line
  // a real server of that load would not write.
  child.warnings = 0;
  child.stdout.on('data', (chunk) => {
    for (let at = chunk.indexOf('"level":40'); at !== -1; at = chunk.indexOf('"level":40', at + 1)) child.warnings++;
  });
  for (let i = 0; i < 600; i++) {
    try {
      const res = await httpGet(port, pathOf(name), { timeoutMs: 5000, method, headers, body });
      if (res.status !== 200) throw new Error(`${name} answered ${pathOf(name)} with ${res.status}`);
      return { child, port };
    } catch (e) {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${err()}`);
      if (/answered/.test(e.message)) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${name} did not start: ${err()}`);
}

// `total` requests over `connections` keep-alive sockets, one at a time on each.
function load(port, total, agent, path) {
  let left = total;
  const one = () => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
  // A connection the server closed while idle (its keep-alive timeout, reached while
  // callgrind_control switched the counting on) is met as a reset: the request is sent again.
  const lane = async () => {
    while (left > 0) {
      left--;
      await one().catch((error) => {
        if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
        return one();
      });
    }
  };
  return Promise.all(Array.from({ length: positiveInt(opt, 'connections') }, lane));
}

// How many scavenges and major collections the main thread's dump ran: the calls made to each
// collector's entry (callgrind names a function in full once, then by its number).
function collectionsIn(text) {
  const names = new Map();
  const counts = { minor: 0, major: 0 };
  let callee;
  for (const line of text.split('\n')) {
    const fn = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (fn !== null) {
      if (fn[2] !== undefined) names.set(fn[1], fn[2]);
      callee = line.startsWith('cfn=') ? names.get(fn[1]) : undefined;
      continue;
    }
    const calls = /^calls=(\d+)/.exec(line);
    if (calls === null || callee === undefined) continue;
    if (callee.startsWith('v8::internal::ScavengerCollector::CollectGarbage(')) counts.minor += Number(calls[1]);
    else if (callee.startsWith('v8::internal::MarkCompactCollector::CollectGarbage(')) counts.major += Number(calls[1]);
    callee = undefined;
  }
  return counts;
}

async function measure(name) {
  const dir = mkdtempSync(join(tmpdir(), 'http-callgrind-'));
  const server = await start(name, dir);
  const agent = new Agent({ keepAlive: true, maxSockets: positiveInt(opt, 'connections') });
  try {
    await load(server.port, positiveInt(opt, 'warmup'), agent, pathOf(name));
    const pid = String(server.child.pid);
    control('-z', pid);
    const warningsBefore = server.child.warnings;
    control('-i', 'on', pid);
    const requests = positiveInt(opt, 'requests');
    await load(server.port, requests, agent, pathOf(name));
    control('-i', 'off', pid);
    const warnings = server.child.warnings - warningsBefore;
    control('-d', pid);
    agent.destroy();
    // The dump holds the counts since the zeroing: only the measured requests. With
    // --separate-threads, one file per thread, named ...<pid>.<dump>-<thread>; thread 01 is main.
    const dumps = readdirSync(dir).filter((f) => /callgrind\.out\.\d+\.\d+-\d+$/.test(f));
    let all = 0;
    let main = 0;
    let gcAll = 0;
    let gcMain = 0;
    let collections = { minor: 0, major: 0 };
    for (const f of dumps) {
      const text = readFileSync(join(dir, f), 'utf8');
      const m = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
      if (m === null) continue;
      const gc = Number(m[1]) === 0 ? 0 : gcInstructions(join(dir, f));
      all += Number(m[1]);
      gcAll += gc;
      if (f.endsWith('-01')) {
        main += Number(m[1]);
        gcMain += gc;
        collections = collectionsIn(text);
      }
    }
    if (all === 0) throw new Error(`no callgrind dump in ${dir}: ${readdirSync(dir).join(', ')}`);
    const mainDump = dumps.find((f) => f.endsWith('-01'));
    const functions = byFunction && mainDump !== undefined ? costByFunction(join(dir, mainDump), `/tmp/perf-${pid}.map`).slice(0, positiveInt(opt, 'functions')) : undefined;
    if (byFunction && !process.env.KEEP) rmSync(`/tmp/perf-${pid}.map`, { force: true });
    return { functions, main: main / requests, all: all / requests, mainOutsideGc: (main - gcMain) / requests, allOutsideGc: (all - gcAll) / requests, collections, warnings };
  } finally {
    agent.destroy();
    await stopChild(server.child, 10_000);
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

const results = Object.fromEntries(names.map((n) => [n, []]));
const fmt = (x) => Math.round(x).toLocaleString('en-US');
for (let run = 0; run < positiveInt(opt, 'runs'); run++) {
  for (const name of names) {
    const perRequest = await measure(name);
    results[name].push(perRequest);
    const { minor, major } = perRequest.collections;
    console.error(`run ${run + 1} ${name}: ${fmt(perRequest.main)} instructions a request on the main thread, ${fmt(perRequest.all)} in all threads; outside the garbage collector ${fmt(perRequest.mainOutsideGc)} and ${fmt(perRequest.allOutsideGc)} (${minor} scavenges, ${major} major collections; ${perRequest.warnings} warnings logged)`);
    for (const [fn, cost] of perRequest.functions ?? []) console.error(`  ${fmt(cost / positiveInt(opt, 'requests')).padStart(7)}  ${fn}`);
  }
}
console.log(`Instructions per \`${method} ${[...new Set(names.map(pathOf))].join(', ')}\` (callgrind, server only; ${opt.requests} requests after ${opt.warmup} of warm-up, ${opt.connections} keep-alive connections; ${onBun ? `Bun ${BUN}` : `Node ${NODE === process.execPath ? process.versions.node : NODE}${nodeFlags.length > 0 ? ` ${nodeFlags.join(' ')}` : ''}`})\n`);
console.log('| server | main thread, each run | main thread, min | all threads, each run | outside the garbage collector: main / all threads, each run | collections (scavenges + major), each run |');
console.log('|---|---|---:|---|---|---|');
for (const name of names) {
  const r = results[name];
  const outside = r.map((x) => `${fmt(x.mainOutsideGc)} / ${fmt(x.allOutsideGc)}`).join(', ');
  const gcs = r.map((x) => `${x.collections.minor} + ${x.collections.major}`).join(', ');
  console.log(`| ${name} | ${r.map((x) => fmt(x.main)).join(' / ')} | ${fmt(Math.min(...r.map((x) => x.main)))} | ${r.map((x) => fmt(x.all)).join(' / ')} | ${outside} | ${gcs} |`);
}
// The tasks target (at most 2% over the same route without), on the medians of each.
if (results['spry-task'] && results['spry-notask']) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  for (const k of ['main', 'mainOutsideGc', 'all']) {
    const task = median(results['spry-task'].map((x) => x[k]));
    const plain = median(results['spry-notask'].map((x) => x[k]));
    console.log(`\nspry-task over spry-notask (${k}, medians): ${fmt(task)} vs ${fmt(plain)}, ${task >= plain ? '+' : ''}${((task / plain - 1) * 100).toFixed(1)}%`);
  }
}
