// spry against an earlier spry, on the same machine in the same run: the seed's two workloads
// (GET /fast_task/, GET /slow_task/42?q=test with SLOW_TASK_SECONDS=0), the ten-field POST
// (bench/apps/spry-model.ts) and the route with a dependency, a cookie and a header
// (bench/apps/spry-inputs.ts, targets.mjs's `inputs`), each spry from a snapshot of a commit (lib/spry-snapshot.mjs), in
// rounds whose order rotates so that the machine's drift spreads over both. Reports medians of
// req/s and of CPU µs per request (the server process's own CPU time over the requests wrk
// counted: steadier than req/s when other work shares the machine), and after / before.
//
//   node before-after.mjs --before REF --after REF [--rounds 5] [--duration 10] [--connections 100] [--only fast,slow,model,inputs]
//     [--only signal,nosignal,task,plain] [--no-access-log]
//   node before-after.mjs --before REF --after REF --runtime bun   # fast and slow: Bun.serve({ ...app.bun })
//
// On Bun each spry is its snapshot's build (dist/) with the seed app compiled to JavaScript,
// served by apps/bun-spry.mjs, as targets.mjs's bun-fast and bun-slow serve the live tree.
//
// signal and nosignal (named with --only) are /slow_task/42?q=test of apps/spry-variant.ts with
// and without the handler taking the signal (SPRY_SIGNAL=0); task and plain are
// apps/spry-tasks.ts's /task (one in-process background task) and /plain. For those two pairs a
// second table gives each commit's overhead of the one over the other (issue 15's 2% targets).
// --no-access-log runs spry as targets.mjs does; without it, as `spry run` does by default.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { killAllNow } from './lib/children.mjs';
import { positiveInt } from './lib/args.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { bunBinary } from './lib/hosts.mjs';
import { cpuMicrosPerRequest, processCpuTicks } from './lib/procfs.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { snapshotSpry } from './lib/spry-snapshot.mjs';
import { checkResponse, startServer } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { runWrk } from './lib/wrk.mjs';
import { WORKLOADS as TARGETS } from './lib/workloads.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    runtime: { type: 'string', default: 'node' },
    only: { type: 'string' },
    'no-access-log': { type: 'boolean', default: false },
  },
});
if (opt.before === undefined || opt.after === undefined) throw new Error('usage: node before-after.mjs --before REF --after REF [--rounds N] [--duration S] [--connections C]');
const rounds = positiveInt(opt, 'rounds');
const durationS = positiveInt(opt, 'duration');
const connections = positiveInt(opt, 'connections');
const ITEM = JSON.parse(readFileSync(join(BENCH, 'apps', 'model-item.json'), 'utf8'));

const onBun = opt.runtime === 'bun';
if (!onBun && opt.runtime !== 'node') throw new Error('--runtime is node or bun');
if (onBun && bunBinary() === null) throw new Error('Bun not found: set SPRY_BUN (bash .ci/run installs it from the npm registry)');
const variants = [['before', snapshotSpry(opt.before)], ['after', snapshotSpry(opt.after)]].map(([name, tree]) => ({ name, ...tree }));
const WORKLOADS = [
  { name: 'fast', path: '/fast_task/', app: 'examples/seed/main.ts', expect: { message: 'This is fast!' } },
  { name: 'slow', path: '/slow_task/42?q=test', app: 'examples/seed/main.ts', expect: { item_id: 42, q: 'test' } },
  { name: 'model', path: '/items/', app: 'bench/apps/spry-model.ts', script: join(BENCH, 'apps', 'post-model.lua') },
  { name: 'inputs', path: TARGETS.inputs.request.path, app: 'bench/apps/spry-inputs.ts', expect: TARGETS.inputs.request.expected, check: TARGETS.inputs.request.check, headers: TARGETS.inputs.request.headers },
  { name: 'signal', path: '/slow_task/42?q=test', app: 'bench/apps/spry-variant.ts', expect: { item_id: 42, q: 'test' } },
  { name: 'nosignal', path: '/slow_task/42?q=test', app: 'bench/apps/spry-variant.ts', env: { SPRY_SIGNAL: '0' }, expect: { item_id: 42, q: 'test' } },
  { name: 'task', path: '/task', app: 'bench/apps/spry-tasks.ts', expect: { ok: true } },
  { name: 'plain', path: '/plain', app: 'bench/apps/spry-tasks.ts', expect: { ok: true } },
].filter((w) => (opt.only === undefined ? ['fast', 'slow', 'model', 'inputs'].includes(w.name) : opt.only.split(',').includes(w.name)) && (!onBun || (w.name !== 'model' && w.name !== 'inputs')));
const PAIRS = [['signal', 'nosignal'], ['task', 'plain']].filter(([a, b]) => WORKLOADS.some((w) => w.name === a) && WORKLOADS.some((w) => w.name === b));
const runFlags = opt['no-access-log'] ? ['--no-access-log'] : [];
// `spry run` loads the CLI from dist/ (bin/spry.mjs's #cli import) on Node as on Bun.
for (const v of variants) ensureBuilt(v.dir);
// How one variant serves one workload's app.
const serverOf = (v, w) => onBun
  ? { name: `spry ${v.name}`, argv: () => [bunBinary(), join(BENCH, 'apps', 'bun-spry.mjs')], env: { SPRY_APP: builtApp(v.dir, join(v.dir, w.app)) } }
  : { name: `spry ${v.name}`, argv: () => [process.execPath, join(v.dir, 'bin', 'spry.mjs'), 'run', join(v.dir, w.app), ...runFlags] };

process.on('SIGINT', () => (killAllNow(), process.exit(130)));
const command = `node before-after.mjs ${process.argv.slice(2).join(' ')}`;
console.error(`${command}\n${variants.map((v) => `${v.name}: ${v.sha.slice(0, 12)}`).join(', ')}`);

const samples = {};
for (let round = 0; round < rounds; round++) {
  for (const w of WORKLOADS) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      await waitForQuiet({ maxWaitS: 5 });
      const fw = serverOf(v, w);
      const server = await startWithRetries(fw, w.env);
      try {
        if (w.expect) await checkResponse(server, w.path, w.expect, w.check);
        else await checkPost(server.port, w.path);
        const url = `http://127.0.0.1:${server.port}${w.path}`;
        await runWrk({ url, durationS: 2, connections, script: w.script, headers: w.headers });
        const before = processCpuTicks(server.serverPid);
        const r = await runWrk({ url, durationS, connections, script: w.script, headers: w.headers });
        const cpuUs = cpuMicrosPerRequest(before, processCpuTicks(server.serverPid), r.requests);
        (samples[`${w.name}/${v.name}`] ??= []).push({ rps: r.rps, cpuUs, non2xx: r.non2xx });
        console.error(`round ${round + 1}/${rounds} ${w.name.padEnd(5)} ${v.name.padEnd(6)} ${Math.round(r.rps).toLocaleString('en')} req/s  CPU ${cpuUs?.toFixed(1)} µs/req  non-2xx ${r.non2xx}`);
      } finally {
        await server.stop();
      }
    }
  }
}

const spread = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
console.log(`Command: \`cd bench && ${command}\` (before ${variants[0].sha.slice(0, 12)}, after ${variants[1].sha.slice(0, 12)}; ${rounds} rounds × ${durationS} s, ${connections} connections, wrk -t1 on core 1, server on core 0; ${onBun ? 'Bun, Bun.serve({ ...app.bun })' : `Node ${process.versions.node}`}; medians, min–max in brackets)\n`);
console.log('| workload | before req/s | after req/s | after / before | before CPU µs/req | after CPU µs/req | after / before CPU | non-2xx |\n| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const w of WORKLOADS) {
  const b = samples[`${w.name}/before`];
  const a = samples[`${w.name}/after`];
  const rps = (s) => median(s.map((x) => x.rps));
  const cpu = (s) => median(s.map((x) => x.cpuUs));
  console.log(`| ${w.name} | ${Math.round(rps(b)).toLocaleString('en')} | ${Math.round(rps(a)).toLocaleString('en')} | ${(rps(a) / rps(b)).toFixed(3)} | ${cpu(b).toFixed(1)} (${spread(b.map((x) => x.cpuUs))}) | ${cpu(a).toFixed(1)} (${spread(a.map((x) => x.cpuUs))}) | ${(cpu(a) / cpu(b)).toFixed(3)} | ${[...a, ...b].reduce((t, x) => t + x.non2xx, 0)} |`);
}

if (PAIRS.length > 0) {
  console.log('\n| pair | before: CPU µs/req | before: overhead | after: CPU µs/req | after: overhead |\n| :--- | ---: | ---: | ---: | ---: |');
  const cpu = (key) => median(samples[key].map((x) => x.cpuUs));
  for (const [a, b] of PAIRS) {
    const cells = variants.map((v) => `${cpu(`${a}/${v.name}`).toFixed(1)} vs ${cpu(`${b}/${v.name}`).toFixed(1)} | ${((cpu(`${a}/${v.name}`) / cpu(`${b}/${v.name}`) - 1) * 100).toFixed(1)}%`);
    console.log(`| ${a} over ${b} | ${cells.join(' | ')} |`);
  }
}

// Other programs on a shared machine may take the free port between the check and the listen.
async function startWithRetries(fw, env = {}, attempts = 3) {
  for (let i = 1; ; i++) {
    try {
      return await startServer(fw, { slowSeconds: 0, env });
    } catch (error) {
      if (i >= attempts || !/address already in use/.test(String(error))) throw error;
      console.error(`  ${fw.name}: its port was taken meanwhile; starting it again`);
    }
  }
}

async function checkPost(port, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ITEM) });
  const body = await res.json();
  if (res.status !== 200 || JSON.stringify(body) !== JSON.stringify(ITEM)) throw new Error(`POST ${path} answered ${res.status} ${JSON.stringify(body)}`);
}
