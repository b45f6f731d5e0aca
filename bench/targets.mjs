#!/usr/bin/env node
// Issue 15's targets in one command: every workload against its anchors (lib/workloads.mjs),
// rounds interleaved (round → runtime → workload → apps in a rotating order), medians, the
// server process's CPU µs per request, the ratio to each anchor and a verdict per target.
// spry runs as installed: its build (dist/, rebuilt first when src/ is newer), the apps compiled
// to JavaScript, NODE_ENV=production, on Node 24 from the repository's `node` devDependency
// (and on 22 and 26 with --nodes); on Bun through Bun.serve({ ...app.bun }).
//
//   node targets.mjs                                   # every target, 3 rounds × 10 s
//   node targets.mjs --rounds 1 --duration 1 --warmup 1 --inflight-duration 2   # a smoke run
//   node targets.mjs --only fast,slow --nodes 24,22,26
//   node targets.mjs --from results/targets-….json     # print a saved run's tables again
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setSpryRoot } from './lib/frameworks.mjs';
import { NODE_MISSING, nodeBinary } from './lib/hosts.mjs';
import { measureInflightKept } from './lib/inflight-measure.mjs';
import { measureThroughput } from './lib/measure.mjs';
import { measurePaired } from './lib/paired.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { environment, saveResults } from './lib/report.mjs';
import { ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, describeLiveTree, snapshotSpry } from './lib/spry-snapshot.mjs';
import { renderTargets } from './lib/targets-report.mjs';
import { TARGET_WORKLOADS, WORKLOADS, requestOf } from './lib/workloads.mjs';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '100' },
    only: { type: 'string' },
    nodes: { type: 'string', default: '24' },
    'inflight-duration': { type: 'string', default: '10' },
    'skip-fastapi': { type: 'boolean', default: false },
    'spry-ref': { type: 'string' },
    'max-foreign': { type: 'string', default: '0.05' },
    retries: { type: 'string', default: '1' },
    // How long to wait for the machine to go quiet before each sample (a shared machine).
    'quiet-wait': { type: 'string', default: '30' },
    // The overhead targets (signal, tasks) are judged on paired bursts (lib/paired.mjs); 0: not.
    'paired-bursts': { type: 'string', default: '16' },
    from: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opt.from) {
  console.log(renderTargets(JSON.parse(readFileSync(opt.from, 'utf8'))));
  process.exit(0);
}
if (opt.help) {
  console.log(`node targets.mjs [--rounds N] [--duration S] [--warmup S] [--connections C] [--only ${TARGET_WORKLOADS.join(',')}] ` +
    '[--nodes 24,22,26] [--inflight-duration S] [--skip-fastapi] [--spry-ref REF] [--max-foreign F] [--retries N] [--quiet-wait S] [--paired-bursts N]\n' +
    `workloads: ${Object.keys(WORKLOADS).join(', ')}\nnode targets.mjs --from results/targets-….json`);
  process.exit(0);
}

const number = (k, { min = 1 } = {}) => {
  const v = Number(opt[k]);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${k} must be a number >= ${min}`);
  return v;
};
const rounds = number('rounds');
const durationS = number('duration');
const warmupS = number('warmup');
const connections = number('connections');
const inflightDurationS = number('inflight-duration');
const maxForeign = Number(opt['max-foreign']);
const retries = number('retries', { min: 0 });
const quietWaitS = number('quiet-wait', { min: 0 });
const pairedBursts = number('paired-bursts', { min: 0 });

const chosen = opt.only ? opt.only.split(',').map((s) => s.trim()).filter(Boolean) : TARGET_WORKLOADS;
for (const name of chosen) if (!WORKLOADS[name]) throw new Error(`unknown workload "${name}"; known: ${Object.keys(WORKLOADS).join(', ')}`);
const nodes = opt.nodes.split(',').map((s) => s.trim()).filter(Boolean);
const nodeBins = Object.fromEntries(nodes.map((n) => [n, nodeBinary(n)]));
for (const [n, bin] of Object.entries(nodeBins)) if (!bin) throw new Error(NODE_MISSING(n));

// spry as measured: a committed snapshot (--spry-ref), or the live tree; built either way.
const spryTree = opt['spry-ref'] ? snapshotSpry(opt['spry-ref']) : null;
if (spryTree) setSpryRoot(spryTree.dir);
ensureBuilt(spryTree ? spryTree.dir : REPO_DIR);
const spryVersion = spryTree ? { ref: opt['spry-ref'], sha: spryTree.sha, snapshot: spryTree.dir } : { live: describeLiveTree() };

const skipped = [];
const selectApps = (w) => w.apps.filter((a) => {
  if (opt['skip-fastapi'] && a.name === 'fastapi') return false;
  if (a.available && !a.available()) {
    skipped.push({ name: `${a.name} (${w.title.split(':')[0]})`, why: a.missing });
    return false;
  }
  return true;
});
const plan = chosen.map((name) => ({ name, w: WORKLOADS[name], apps: selectApps(WORKLOADS[name]) })).filter((p) => p.apps.length > 1);
for (const s of skipped) console.error(`skipping ${s.name}: ${s.why}`);
// Each round: every Node workload on each Node, then the Bun ones.
const runs = [
  ...nodes.flatMap((n) => plan.filter((p) => p.w.runtime !== 'bun').map((p) => ({ ...p, runtime: `node${n}`, node: nodeBins[n] }))),
  ...plan.filter((p) => p.w.runtime === 'bun').map((p) => ({ ...p, runtime: 'bun', node: undefined })),
];
const command = `node targets.mjs ${process.argv.slice(2).join(' ')}`.trim();
const perSample = (p) => (p.w.kind === 'inflight' ? inflightDurationS + 15 : warmupS + durationS + 3);
const estimate = Math.ceil((rounds * runs.reduce((t, p) => t + p.apps.length * perSample(p), 0)) / 60);
console.error(`${command}\nworkloads: ${plan.map((p) => p.name).join(', ')}; Node ${nodes.join(', ')}; ~${estimate} min on a quiet machine`);

const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);
const samples = [];
const failed = new Map(); // "workload/app/runtime" → error: a broken app is dropped, the rest go on
for (let round = 0; round < rounds; round++) {
  for (const p of runs) {
    for (const app of rotate(p.apps, round)) {
      const key = `${p.name}/${app.name}/${p.runtime}`;
      if (failed.has(key)) continue;
      const label = `round ${round + 1}/${rounds} ${p.runtime.padEnd(6)} ${p.name.padEnd(8)} `;
      try {
        const sample = p.w.kind === 'inflight'
          ? await measureInflightKept(app, { node: p.node, durationS: inflightDurationS, quietWaitS }, { maxForeign, retries, label })
          : await measureThroughput(app, requestOf(p.w, app), { node: p.node, warmupS, durationS, connections, quietWaitS, maxForeign, retries, label });
        delete sample.timeline;
        samples.push({ round, runtime: p.runtime, workload: p.name, app: app.name, ...sample });
      } catch (e) {
        console.error(`\n${key} FAILED in round ${round + 1}: ${e.message}\n`);
        failed.set(key, e.message.split('\n')[0]);
      }
    }
  }
}

// The overhead targets again, the two sides up at once and measured burst by burst, on the
// primary Node: the verdict is judged on these pairs (lib/targets-report.mjs).
const paired = {};
const primaryNode = nodes[0];
if (pairedBursts > 0) {
  for (const p of plan.filter((x) => x.w.runtime !== 'bun' && x.w.targets.some((t) => t.maxOverhead !== undefined))) {
    const target = p.w.targets.find((t) => t.maxOverhead !== undefined);
    const anchor = p.apps.find((a) => a.name === target.anchor);
    if (!anchor) continue;
    const label = `paired node${primaryNode} ${p.name.padEnd(8)} `;
    try {
      await waitForQuiet({ maxWaitS: quietWaitS });
      paired[p.name] = {
        runtime: `node${primaryNode}`,
        ...(await measurePaired({ app: p.apps[0], request: requestOf(p.w, p.apps[0]) }, { app: anchor, request: requestOf(p.w, anchor) },
          { node: nodeBins[primaryNode], bursts: pairedBursts, warmupS, connections, label })),
      };
    } catch (e) {
      console.error(`\n${p.name} paired FAILED: ${e.message}\n`);
      failed.set(`${p.name}/paired`, e.message.split('\n')[0]);
    }
  }
}

const data = {
  command, options: opt, environment: { ...environment(), servers: Object.fromEntries(Object.entries(nodeBins).map(([n, bin]) => [`node${n}`, execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()])) },
  spry: spryVersion, samples, paired, failed: Object.fromEntries(failed), skipped,
};
const file = saveResults('targets', data);
console.log(renderTargets(data));
console.error(`\nraw samples: ${file}`);
process.exit(failed.size ? 1 : 0);
