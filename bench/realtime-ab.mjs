// spry's static files (or WebSocket echo) against a committed spry, paired burst by burst: both
// servers run at once on core 0, and short bursts of load alternate between them (A B B A ...),
// so that a neighbour's burst of work on a shared machine lands on both. Each burst's cost is
// the server's CPU time (every thread of it, from /proc/<pid>/task/*/schedstat, in ns: the file
// system calls run on libuv's pool) per request or message; the report is the median of each
// and the median of the per-pair ratios, the figure to read when the machine is not quiet.
//
//   node realtime-ab.mjs --before REF [--workload static|ws] [--file 1kb.txt|1mb.bin] [--bursts 16] [--seconds 1]
//   node realtime-ab.mjs --versus fastify ...   the live spry against apps/fastify-realtime.mjs (or --versus ws: apps/ws-alone.mjs)
//   --idiom foreach: the live spry's echo is ws.forEach() rather than `for await` (both spry's with --before)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { processCpuTicks, threadsCpuNs } from './lib/procfs.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { nodeBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { parseWrk } from './lib/wrk.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    before: { type: 'string' },
    versus: { type: 'string' },
    workload: { type: 'string', default: 'static' },
    file: { type: 'string', default: '1kb.txt' },
    bursts: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '1' },
    connections: { type: 'string' },
    // The live spry's echo: `for await` (apps/spry-realtime.ts's default) or ws.forEach().
    idiom: { type: 'string', default: 'for-await' },
  },
});
if (!['for-await', 'foreach'].includes(opt.idiom)) throw new Error('--idiom must be for-await or foreach');
if ((opt.before === undefined) === (opt.versus === undefined)) throw new Error('usage: node realtime-ab.mjs --before REF | --versus fastify|ws [--workload static|ws] [--file 1kb.txt] [--bursts 16] [--seconds 1]');
const VERSUS = { fastify: 'fastify-realtime.mjs', ws: 'ws-alone.mjs' };
if (opt.versus !== undefined && !(opt.versus in VERSUS)) throw new Error(`--versus must be one of ${Object.keys(VERSUS).join(', ')}`);
const NODE = nodeBinary(24) ?? process.execPath;
const APP = join(BENCH, 'apps', 'spry-realtime.ts');
const before = opt.before === undefined ? undefined : snapshotSpry(opt.before);
ensureBuilt(REPO_DIR);
if (before !== undefined) ensureBuilt(before.dir);


// The live spry (or a snapshot's, at `root`), or with `other` one of the other servers.
async function start(root, env, other) {
  const port = await freePort();
  const child = spawnPinned([NODE, other === undefined ? builtApp(root, APP) : join(BENCH, 'apps', other)], { cpu: 0, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...env } });
  const err = tail(child.stderr);
  for (let i = 0; i < 150; i++) {
    try {
      await httpGet(port, '/');
      return { child, port };
    } catch {
      if (child.exitCode !== null) throw new Error(`spry exited: ${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`spry did not start: ${err()}`);
}

// Runs a load on core 1; `onLine` sees each line of its output as it comes.
function run(argv, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawnPinned(argv, { cpu: 1 });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (out + chunk).split('\n');
      out = lines.pop();
      for (const line of lines) onLine(line);
      all += chunk;
    });
    let all = '';
    const err = tail(child.stderr);
    child.once('exit', (code) => (code === 0 ? resolve(all) : reject(new Error(`${argv[0]} failed: ${err()}`))));
    child.once('error', reject);
  });
}

// One burst against `server`: how many requests (or messages) it answered, and its CPU time
// meanwhile (for the echo, from the load's "start", after its connections and warm-up, on).
async function burst(server, seconds) {
  const pid = server.child.pid;
  if (opt.workload === 'ws') {
    let startNs = 0;
    let endNs = 0;
    let messages = 0;
    await run([process.execPath, join(BENCH, 'lib', 'ws-load.mjs'), 'echo', String(server.port), opt.connections ?? '100', String(seconds)], (line) => {
      const event = JSON.parse(line);
      if (event.event === 'start') startNs = threadsCpuNs(pid);
      if (event.event === 'result') {
        endNs = threadsCpuNs(pid);
        messages = event.messages;
      }
    });
    return { count: messages, ns: endNs - startNs };
  }
  const startNs = threadsCpuNs(pid);
  const startTicks = processCpuTicks(pid);
  const out = await run(['wrk', '-t1', `-c${opt.connections ?? '50'}`, `-d${seconds}s`, `http://127.0.0.1:${server.port}/static/${opt.file}`]);
  return { count: parseWrk(out).requests, ns: threadsCpuNs(pid) - startNs, ticks: processCpuTicks(pid) - startTicks };
}

const dir = mkdtempSync(join(tmpdir(), 'spry-bench-static-'));
writeFileSync(join(dir, '1kb.txt'), 'x'.repeat(1024));
writeFileSync(join(dir, '1mb.bin'), Buffer.alloc(1024 * 1024, 1));
const echo = opt.idiom === 'foreach' ? { SPRY_ECHO: 'foreach' } : {};
const servers = {
  after: await start(REPO_DIR, { STATIC_DIR: dir, ...echo }),
  before: before === undefined ? await start(undefined, { STATIC_DIR: dir }, VERSUS[opt.versus]) : await start(before.dir, { STATIC_DIR: dir, ...echo }),
};
const seconds = positiveInt(opt, 'seconds');
const bursts = positiveInt(opt, 'bursts');
const costs = { after: [], before: [] };
// The same CPU time as /proc/<pid>/stat counts it (utime + stime, in clock ticks), as realtime.mjs reads it.
const tickCosts = { after: [], before: [] };
try {
  for (const name of ['after', 'before']) await burst(servers[name], 1); // warm-up
  for (let i = 0; i < bursts; i++) {
    // A B B A: each pair's order alternates, so a trend within a pair favours neither.
    for (const name of i % 2 === 0 ? ['after', 'before'] : ['before', 'after']) {
      const { count, ns, ticks } = await burst(servers[name], seconds);
      if (ticks !== undefined) tickCosts[name].push(count > 0 ? (ticks * 1e4) / count : NaN);
      // A burst that got nothing done (the load failed to connect in time) counts as missing.
      costs[name].push(count > 0 ? ns / 1000 / count : NaN);
    }
    console.error(`burst ${i + 1}/${bursts}: after ${costs.after.at(-1).toFixed(1)} µs, before ${costs.before.at(-1).toFixed(1)} µs`);
  }
} finally {
  for (const server of Object.values(servers)) await stopChild(server.child);
  rmSync(dir, { recursive: true, force: true });
}
const ratios = costs.after.map((a, i) => a / costs.before[i]).filter((r) => !Number.isNaN(r));
for (const name of ['after', 'before']) costs[name] = costs[name].filter((c) => !Number.isNaN(c));
const unit = opt.workload === 'ws' ? 'message' : 'request';
const what = opt.workload === 'ws' ? 'WebSocket echo' : `/static/${opt.file}`;
const baseline = before === undefined ? opt.versus : `${opt.before} (${before.sha.slice(0, 12)})`;
const idiom = opt.workload === 'ws' ? ` (its echo through ${opt.idiom === 'foreach' ? 'ws.forEach()' : 'for await'})` : '';
console.log(`${what}: server CPU µs per ${unit}, ${bursts} paired bursts of ${seconds} s; after = the live spry${idiom}, before = ${baseline}`);
if (tickCosts.after.length > 0) {
  const a = tickCosts.after.filter((c) => !Number.isNaN(c));
  const b = tickCosts.before.filter((c) => !Number.isNaN(c));
  console.log(`by /proc/<pid>/stat's ticks: after ${median(a).toFixed(1)} µs, before ${median(b).toFixed(1)} µs`);
}
console.log(`after ${median(costs.after).toFixed(1)} µs, before ${median(costs.before).toFixed(1)} µs, after/before median of ${ratios.length} pairs ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
