// Bytes a parked /slow_task/ request keeps on the heap: the server (the seed app on spry's
// build, or raw node:http) gets --heapsnapshot-signal, bench/lib/inflight-load.mjs parks
// --low requests in it (SLOW_TASK_SECONDS 120, so none completes) and a snapshot is taken (V8
// collects fully first); a second load process parks --high minus --low more and a second
// snapshot follows. The difference of the two totals over the difference of the counts is what
// one request keeps, with code, source text and the server's fixed structures dropped out (they
// are in both). bench/README.md's inflight bullet quotes these numbers.
//
//   node parked-heap.mjs                       # spry and raw-node, 1,000 then 5,000 parked
//   node parked-heap.mjs --only spry --top 30  # the 30 node kinds whose kept bytes grew most
//   node parked-heap.mjs --spry-ref main       # spry from a snapshot of a commit
//   node parked-heap.mjs --keep /tmp/snaps     # and keep the snapshots to look into
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { FRAMEWORKS, setSpryRoot } from './lib/frameworks.mjs';
import { ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { checkResponse, startServer } from './lib/start-server.mjs';
import { positiveInt } from './lib/args.mjs';

const { values: opt } = parseArgs({
  options: {
    only: { type: 'string', default: 'spry,raw-node' },
    low: { type: 'string', default: '1000' },
    high: { type: 'string', default: '5000' },
    top: { type: 'string', default: '20' },
    'spry-ref': { type: 'string' },
    // Keep the two snapshots (NAME-low.heapsnapshot, NAME-high.heapsnapshot) in this directory.
    keep: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log('node parked-heap.mjs [--only spry,raw-node] [--low 1000] [--high 5000] [--top 20] [--spry-ref REF] [--keep DIR]');
  process.exit(0);
}
const low = positiveInt(opt, 'low');
const high = positiveInt(opt, 'high');
const top = positiveInt(opt, 'top');
if (high <= low) throw new Error('--high must be above --low');

const spryTree = opt['spry-ref'] ? snapshotSpry(opt['spry-ref']) : null;
if (spryTree) setSpryRoot(spryTree.dir);
ensureBuilt(spryTree ? spryTree.dir : REPO_DIR);

const LOAD = join(import.meta.dirname, 'lib', 'inflight-load.mjs');

// A load process that keeps `n` requests in flight; resolves once all are written.
function park(port, n) {
  const child = spawn(process.execPath, [LOAD, String(port), String(n), '1', '600'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${n} requests not in flight after 60 s`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (JSON.parse(line).event === 'ready') { clearTimeout(t); resolve(child); }
    });
    child.on('exit', (code) => reject(new Error(`load process exited (${code})`)));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Signals the server and waits for its next snapshot file to be complete (it parses).
async function snapshot(pid, dir, keepAs) {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const path = join(dir, file);
    const size = statSync(path).size;
    await sleep(500);
    if (statSync(path).size !== size) continue;
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8'));
      if (keepAs) renameSync(path, keepAs);
      return parsed;
    } catch {
      // still being written
    }
  }
  throw new Error('no heap snapshot after 300 s');
}

// Total self size, and self size and count by node type and name (constructor, closure's name).
function summarize(snap) {
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const nodes = snap.nodes;
  const byKind = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const size = nodes[i + iSize];
    total += size;
    const type = types[nodes[i + iType]];
    // Strings and numbers are grouped by type only: their names are their values.
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' || type === 'code'
      ? '' : snap.strings[nodes[i + iName]];
    const key = `${type} ${name.slice(0, 60)}`;
    const k = byKind.get(key);
    if (k) { k.size += size; k.count++; } else byKind.set(key, { size, count: 1 });
  }
  return { total, byKind };
}

for (const name of opt.only.split(',')) {
  const fw = FRAMEWORKS.find((f) => f.name === name);
  if (!fw) throw new Error(`unknown framework ${name}`);
  const dir = mkdtempSync(join(tmpdir(), 'parked-heap-'));
  const server = await startServer(fw, {
    slowSeconds: 120,
    env: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}` },
  });
  const loads = [];
  try {
    await checkResponse(server, '/fast_task/', { message: 'This is fast!' });
    loads.push(await park(server.port, low));
    await sleep(1000);
    if (opt.keep) mkdirSync(opt.keep, { recursive: true });
    const keepAs = (which) => opt.keep && join(opt.keep, `${name}-${which}.heapsnapshot`);
    const a = summarize(await snapshot(server.serverPid, dir, keepAs('low')));
    loads.push(await park(server.port, high - low));
    await sleep(1000);
    const b = summarize(await snapshot(server.serverPid, dir, keepAs('high')));
    const n = high - low;
    console.log(`${name}: ${((b.total - a.total) / n).toFixed(0)} B kept a parked request ` +
      `(heap ${(a.total / 1e6).toFixed(1)} MB with ${low} parked, ${(b.total / 1e6).toFixed(1)} MB with ${high})`);
    const rows = [];
    for (const [key, kb] of b.byKind) {
      const ka = a.byKind.get(key) ?? { size: 0, count: 0 };
      rows.push({ key, bytes: (kb.size - ka.size) / n, count: (kb.count - ka.count) / n });
    }
    rows.sort((x, y) => y.bytes - x.bytes);
    for (const r of rows.slice(0, top)) console.log(`  ${r.bytes.toFixed(1).padStart(8)} B  ${r.count.toFixed(2).padStart(6)} /req  ${r.key}`);
  } finally {
    for (const l of loads) l.kill();
    await server.stop();
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
