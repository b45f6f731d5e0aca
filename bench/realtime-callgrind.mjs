// Instructions per echoed WebSocket message, counted by valgrind's callgrind in the server
// process (every thread): a figure the machine's load does not move, for changes too small for
// CPU timings on a shared machine. The server runs under callgrind with instrumentation off;
// a warm-up's messages let V8 compile the hot path, then the counting is switched on for a fixed
// number of messages (the load spread over the connections, each sending one message and waiting
// for it back), and the total is divided by that number.
//
//   node realtime-callgrind.mjs [--only ws,spry,spry-foreach] [--before REF] [--after REF] [--runs 2] [--warmup 20000] [--messages 10000] [--connections 100] [--node-flags=--perf-basic-prof] [--keep]
//
// JIT timing and the collections that fall into the measured messages move the total by up to a
// tenth between runs: compare several runs of each, and the count outside the garbage collector
// (steady to about 1%). --keep keeps the dumps (callgrind_annotate reads them); with
// --node-flags=--perf-basic-prof, /tmp/perf-<pid>.map names the JIT code's addresses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { positiveInt } from './lib/args.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { nodeBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { gcInstructions } from './lib/callgrind-gc.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    only: { type: 'string', default: 'ws,spry' },
    before: { type: 'string' },
    after: { type: 'string' },
    runs: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '20000' },
    messages: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '100' },
    'node-flags': { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
  },
});
const NODE = nodeBinary(24) ?? process.execPath;
const APP = join(BENCH, 'apps', 'spry-realtime.ts');
const before = opt.before === undefined ? undefined : snapshotSpry(opt.before);
// --after REF: "spry" is that commit's, not the live tree's (which may then be edited meanwhile).
const live = opt.after === undefined ? REPO_DIR : snapshotSpry(opt.after).dir;
const SERVERS = {
  ws: () => join(BENCH, 'apps', 'ws-alone.mjs'),
  spry: () => (ensureBuilt(live), builtApp(live, APP)),
  'spry-foreach': () => (ensureBuilt(live), builtApp(live, APP)),
  ...(before && { 'spry-before': () => (ensureBuilt(before.dir), builtApp(before.dir, APP)) }),
  ...(before && { 'spry-foreach-before': () => (ensureBuilt(before.dir), builtApp(before.dir, APP)) }),
};
// The same app, echoing through ws.forEach() instead of `for await` (apps/spry-realtime.ts).
const envOf = (name) => (name.startsWith('spry-foreach') ? { SPRY_ECHO: 'foreach' } : {});
const names = opt.only.split(',').flatMap((n) => (before && (n === 'spry' || n === 'spry-foreach') ? [n, `${n}-before`] : [n]));
for (const name of names) if (!(name in SERVERS)) throw new Error(`unknown server "${name}"; known: ${Object.keys(SERVERS).join(', ')}`);

async function start(name, dir) {
  const port = await freePort();
  const argv = ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`, NODE, ...opt['node-flags'].split(' ').filter(Boolean), SERVERS[name]()];
  const child = spawnPinned(argv, { cpu: 0, env: { ...VGDB_ENV, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...envOf(name) } });
  const err = tail(child.stderr);
  for (let i = 0; i < 600; i++) {
    try {
      await httpGet(port, '/', { timeoutMs: 5000 });
      return { child, port };
    } catch {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${err()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${name} did not start: ${err()}`);
}

// `total` messages over the open sockets, each echoing one at a time.
function echo(sockets, total) {
  const payload = 'x'.repeat(32);
  let left = total;
  return Promise.all(sockets.map((ws) => new Promise((resolve) => {
    const next = () => {
      if (left <= 0) {
        ws.off('message', next);
        return resolve();
      }
      left--;
      ws.send(payload);
    };
    ws.on('message', next);
    next();
  })));
}

// valgrind and callgrind_control name their meeting files after LOGNAME and HOST: the same here.
const VGDB_ENV = { LOGNAME: 'bench', HOST: '127.0.0.1' }; // HOST: the apps' listening address too
const control = (...args) => execFileSync('callgrind_control', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...VGDB_ENV } });

async function measure(name) {
  const dir = mkdtempSync(join(tmpdir(), 'realtime-callgrind-'));
  const server = await start(name, dir);
  try {
    const sockets = await Promise.all(Array.from({ length: positiveInt(opt, 'connections') }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/echo`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })));
    await echo(sockets, positiveInt(opt, 'warmup'));
    const pid = String(server.child.pid);
    control('-z', pid);
    control('-i', 'on', pid);
    const messages = positiveInt(opt, 'messages');
    await echo(sockets, messages);
    control('-i', 'off', pid);
    control('-d', pid);
    for (const ws of sockets) ws.terminate();
    // The dump holds the counts since the zeroing: only the measured messages.
    const dump = readdirSync(dir).find((f) => /^callgrind\.out\.\d+\.1$/.test(f));
    const total = dump === undefined ? undefined : /^totals:\s+(\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
    if (total == null) throw new Error(`no callgrind dump in ${dir}: ${readdirSync(dir).join(', ')}`);
    if (opt.keep) console.error(`${name}: ${join(dir, dump)}`);
    return { total: Number(total[1]) / messages, gc: gcInstructions(join(dir, dump)) / messages };
  } finally {
    await stopChild(server.child, 10_000);
    if (!opt.keep) rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const results = Object.fromEntries(names.map((n) => [n, []]));
for (let run = 0; run < positiveInt(opt, 'runs'); run++) {
  for (const name of names) {
    const r = await measure(name);
    results[name].push(r);
    console.error(`run ${run + 1} ${name}: ${fmt(r.total)} instructions a message (${fmt(r.total - r.gc)} outside the garbage collector)`);
  }
}
console.log(`Instructions per echoed message (callgrind, server only; ${opt.messages} messages after ${opt.warmup} of warm-up, ${opt.connections} connections)\n`);
console.log('| server | total, each run | min | max | outside the garbage collector, each run |');
console.log('|---|---|---:|---:|---|');
for (const name of names) {
  const totals = results[name].map((r) => r.total);
  console.log(`| ${name} | ${totals.map(fmt).join(' / ')} | ${fmt(Math.min(...totals))} | ${fmt(Math.max(...totals))} | ${results[name].map((r) => fmt(r.total - r.gc)).join(' / ')} |`);
}
