// Type-check budget of the typed client: `tsc --noEmit --extendedDiagnostics` over a generated
// app of ROUTERS x PER_ROUTER routes plus a client file calling CALLS of them, with TypeScript 7
// and 5.9, for spry (spry/client), Hono (hono/client) and Elysia (Eden Treaty). Each case runs
// --runs times; the table shows the median wall time with its spread (min-max), tsc's own check
// time, memory and instantiations. The CPU is shared, so wall times are noisy: compare medians.
//
//   cd bench && npm install && node typecheck/run.mjs [--runs 3] [--routers 25] [--per-router 20]
//     [--calls 100] [--ts 7,5.9] [--only spry,hono,elysia]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInt } from '../lib/args.mjs';
import { markdownTable, median } from '../lib/table.mjs';
import { generate } from './generate.mjs';

const here = new URL('.', import.meta.url).pathname;
const bench = join(here, '..');
const repo = join(bench, '..');

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    routers: { type: 'string', default: '25' },
    'per-router': { type: 'string', default: '20' },
    calls: { type: 'string', default: '100' },
    ts: { type: 'string', default: '7,5.9' },
    only: { type: 'string', default: 'spry,hono,elysia' },
    // Only the cases the targets compare (no sources-checked variants, no app-only case).
    lean: { type: 'boolean', default: false },
    // Where the generated projects go (under typecheck/), so that two runs can go side by side.
    out: { type: 'string', default: 'out' },
  },
});
const out = join(here, opt.out);
const runs = positiveInt(opt, 'runs');
const size = { routers: positiveInt(opt, 'routers'), perRouter: positiveInt(opt, 'per-router'), calls: positiveInt(opt, 'calls'), outDir: out };
const compilers = {
  7: join(bench, 'node_modules/typescript/bin/tsc'),
  5.9: join(bench, 'node_modules/typescript59/bin/tsc'),
};
const versions = opt.ts.split(',');
const only = new Set(opt.only.split(','));

// "Today": the same app against spry's sources just before the typed client was added (routes
// not carried in the types), exported from git so that the comparison needs no checkout.
function baselineSources() {
  const added = execFileSync('git', ['-C', repo, 'log', '--diff-filter=A', '--format=%H', '--', 'src/client/types.ts'], { encoding: 'utf8' }).trim().split('\n').at(-1);
  const commit = execFileSync('git', ['-C', repo, 'rev-parse', `${added}^`], { encoding: 'utf8' }).trim();
  const dir = join(out, 'baseline-src');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git -C "${repo}" archive ${commit} src | tar -x -C "${dir}"`]);
  // Its imports resolve to the repository's packages (cookie 1, ...), not to bench's.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return { dir, commit };
}

/**
 * spry as a user's project gets it: declaration files (checked no further, as skipLibCheck
 * does for every package), emitted from `srcDir` into out/<name>/. Hono and Elysia are read
 * from their published .d.ts files the same way.
 */
function declarations(srcDir, name) {
  const dir = join(out, name);
  rmSync(dir, { recursive: true, force: true });
  const config = join(out, `${name}.tsconfig.json`);
  writeFileSync(config, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true,
      allowImportingTsExtensions: true, rewriteRelativeImportExtensions: true, declaration: true, emitDeclarationOnly: true,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: ['node'], outDir: dir, rootDir: srcDir, noCheck: true,
    },
    include: [srcDir],
  }));
  const result = spawnSync(process.execPath, [compilers[7], '-p', config], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`declarations of ${srcDir}: ${result.stdout}${result.stderr}`);
  return dir;
}

function pointAt(dir, paths) {
  const file = join(dir, 'tsconfig.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.compilerOptions.paths = paths;
  writeFileSync(file, JSON.stringify(config, null, 2));
  return dir;
}

const cases = [];
if (only.has('spry')) {
  const baseline = baselineSources();
  const today = declarations(join(baseline.dir, 'src'), 'baseline-types');
  const current = declarations(join(repo, 'src'), 'spry-types');
  const sources = { spry: [join(repo, 'src/index.ts')], 'spry/client': [join(repo, 'src/client/index.ts')] };
  const types = { spry: [join(current, 'index.d.ts')], 'spry/client': [join(current, 'client/index.d.ts')] };
  const at = baseline.commit.slice(0, 8);
  const app = (name, options = {}) => generate({ framework: 'spry', name, withClient: false, ...size, ...options });
  cases.push({ name: `spry app, no client: spry of ${at} (before the client), as .d.ts`, dir: pointAt(app('spry-today-dts'), { spry: [join(today, 'index.d.ts')] }) });
  if (!opt.lean) cases.push({ name: `spry app, no client: spry of ${at}, its sources checked too`, dir: pointAt(app('spry-today-src'), { spry: [join(baseline.dir, 'src/index.ts')] }) });
  if (!opt.lean) cases.push({ name: 'spry app (route types carried), as .d.ts', dir: pointAt(app('spry-app-dts'), types) });
  cases.push({ name: 'spry app + spry/client, as .d.ts', dir: pointAt(app('spry-client-dts', { withClient: true }), types), key: 'spry' });
  if (!opt.lean) cases.push({ name: 'spry app + spry/client, its sources checked too', dir: pointAt(app('spry-client-src', { withClient: true }), sources) });
  cases.push({ name: 'spry app + spry/client, one route more, as .d.ts', dir: pointAt(app('spry-extra-dts', { withClient: true, extra: true }), types), key: 'spry+1', once: true });
}
if (only.has('hono')) {
  cases.push({ name: 'hono app + hono/client', dir: generate({ framework: 'hono', name: 'hono-client', ...size }), key: 'hono' });
  cases.push({ name: 'hono app + hono/client, one route more', dir: generate({ framework: 'hono', name: 'hono-extra', extra: true, ...size }), key: 'hono+1', once: true });
}
if (only.has('elysia')) {
  cases.push({ name: 'elysia app + Eden Treaty', dir: generate({ framework: 'elysia', name: 'elysia-client', ...size }), key: 'elysia' });
  cases.push({ name: 'elysia app + Eden Treaty, one route more', dir: generate({ framework: 'elysia', name: 'elysia-extra', extra: true, ...size }), key: 'elysia+1', once: true });
}

function number(text, label) {
  const match = new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

// GNU time reports the CPU seconds of tsc and every process it waited for (TypeScript 7's
// shim runs a native compiler), which a shared CPU changes far less than the wall time.
const TIME_FORMAT = 'spry-bench-time: %U %S';

function check(version, dir) {
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', TIME_FORMAT, process.execPath, compilers[version], '-p', dir, '--noEmit', '--extendedDiagnostics'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const text = result.stdout + result.stderr;
  const times = /spry-bench-time: ([\d.]+) ([\d.]+)/.exec(text);
  const cpu = times ? Number(times[1]) + Number(times[2]) : null;
  const errors = text.split('\n').filter((line) => /error TS\d+/.test(line));
  return {
    wall,
    cpu,
    check: number(text, 'Check time'),
    memoryMB: (number(text, 'Memory used') ?? NaN) / 1024,
    instantiations: number(text, 'Instantiations'),
    errors,
    deep: /excessively deep/i.test(text),
  };
}

// Runs interleaved (every case once, then again), so that a change in the machine's load
// falls on every case alike rather than on one.
const samples = new Map();
for (const version of versions) {
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      if (c.once && i > 0) continue;
      const sample = check(version, c.dir);
      const key = `${version} ${c.name}`;
      samples.set(key, [...(samples.get(key) ?? []), sample]);
      console.error(`TS ${version} ${c.name}: ${sample.wall.toFixed(2)} s wall, ${sample.cpu} s CPU, ${sample.memoryMB.toFixed(0)} MB, ${sample.instantiations} instantiations, ${sample.errors.length} errors${sample.errors[0] ? `: ${sample.errors[0]}` : ''}`);
    }
  }
}
const results = [];
for (const version of versions) {
  for (const c of cases) {
    // A run that failed (a missing file, say) is no measurement: it counts only as an error.
    const all = samples.get(`${version} ${c.name}`);
    const valid = all.filter((s) => s.errors.length === 0);
    const list = valid.length > 0 ? valid : all;
    const walls = list.map((s) => s.wall);
    results.push({
      ts: version,
      name: c.name,
      key: c.key,
      walls,
      wall: median(walls),
      min: Math.min(...walls),
      max: Math.max(...walls),
      cpu: median(list.map((s) => s.cpu)),
      cpuMin: Math.min(...list.map((s) => s.cpu)),
      cpuMax: Math.max(...list.map((s) => s.cpu)),
      check: median(list.map((s) => s.check)),
      memoryMB: median(list.map((s) => s.memoryMB)),
      instantiations: list[0].instantiations,
      errors: list[0].errors.length,
      failedRuns: all.length - valid.length,
      deep: list.some((s) => s.deep),
      firstError: list[0].errors[0],
    });
  }
}

const rows = results.map((r) => [
  `TS ${r.ts}`,
  r.name,
  `${r.wall.toFixed(2)} s`,
  r.min === r.max ? 'one run' : `${r.min.toFixed(2)}-${r.max.toFixed(2)} s`,
  `${r.cpu.toFixed(2)} s`,
  r.cpuMin === r.cpuMax ? 'one run' : `${r.cpuMin.toFixed(2)}-${r.cpuMax.toFixed(2)} s`,
  r.check === null ? 'n/a' : `${r.check.toFixed(2)} s`,
  Number.isFinite(r.memoryMB) ? `${r.memoryMB.toFixed(0)} MB` : 'n/a',
  r.instantiations === null ? 'n/a' : r.instantiations.toLocaleString('en-US'),
  r.deep ? 'yes' : 'no',
  String(r.errors),
]);
console.log(`${size.routers} routers x ${size.perRouter} routes, ${size.calls} client calls, ${runs} runs each (median, spread)\n`);
console.log(markdownTable(['tsc', 'case', 'wall (median)', 'spread', 'CPU (median)', 'spread', 'check time', 'memory', 'instantiations', 'excessively deep', 'errors'], rows));
for (const version of versions) {
  const at = (key) => results.find((r) => r.ts === version && r.key === key);
  for (const name of ['spry', 'hono', 'elysia']) {
    const base = at(name);
    const more = at(`${name}+1`);
    if (base && more) console.log(`TS ${version} ${name}: one route more costs ${(more.instantiations - base.instantiations).toLocaleString('en-US')} instantiations`);
  }
}
mkdirSync(join(bench, 'results'), { recursive: true });
const file = join(bench, 'results', `typecheck-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ size, runs, results }, null, 2));
console.log(`\nraw results: ${file}`);
