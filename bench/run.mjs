#!/usr/bin/env node
// Throughput benchmark: spry's seed app vs raw node:http, Fastify, Hono, FastAPI.
// Rounds are interleaved (round → workload → framework in a rotating order) so a
// slow drift of the machine (thermal, noisy neighbour) spreads over every framework
// instead of landing on whichever ran last.
//
//   node run.mjs [--rounds 5] [--duration 10] [--connections 100]
//                [--only spry,raw-node] [--workload fast|slow|all] [--skip-fastapi]
//   node run.mjs --from results/run-….json     (print the tables of a saved run again)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectFrameworks, setSpryRoot } from './lib/frameworks.mjs';
import { REPO_DIR, describeLiveTree, snapshotSpry } from './lib/spry-snapshot.mjs';
import { measureThroughput } from './lib/measure.mjs';
import { ensureBuilt } from './lib/spry-build.mjs';
import { nodeBinary } from './lib/hosts.mjs';

// Every Node server runs on Node 24, the repository's `node` devDependency (else this Node).
const SERVER_NODE = nodeBinary(24) ?? process.execPath;
import { positiveInt } from './lib/args.mjs';
import { environment, renderRun, saveResults } from './lib/report.mjs';

const WORKLOADS = {
  // SLOW_TASK_SECONDS does not matter for /fast_task/; leave the app default.
  fast: { path: '/fast_task/', slowSeconds: 5, expected: { message: 'This is fast!' } },
  // 0 = every app skips its sleep entirely, so this measures routing + validation + JSON.
  slow: { path: '/slow_task/42?q=test', slowSeconds: 0, expected: { item_id: 42, q: 'test' } },
};

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    workload: { type: 'string', default: 'all' },
    'skip-fastapi': { type: 'boolean', default: false },
    // A sample during which other processes used more than this share of the
    // server's or wrk's core is measured again (up to --retries times), then kept but flagged.
    'max-foreign': { type: 'string', default: '0.05' },
    // Run spry from a snapshot of this commit instead of the live work tree.
    'spry-ref': { type: 'string' },
    retries: { type: 'string', default: '2' },
    from: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opt.from) {
  console.log(renderRun(JSON.parse(readFileSync(opt.from, 'utf8'))));
  process.exit(0);
}

if (opt.help) {
  console.log('node run.mjs [--rounds N] [--duration S] [--connections C] [--warmup S] [--only a,b] [--workload fast|slow|all] [--skip-fastapi] [--spry-ref REF] [--max-foreign F] [--retries N]\nnode run.mjs --from results/run-….json');
  process.exit(0);
}

const rounds = positiveInt(opt, 'rounds');
const durationS = positiveInt(opt, 'duration');
const connections = positiveInt(opt, 'connections');
const warmupS = positiveInt(opt, 'warmup');
const maxForeign = Number(opt['max-foreign']);
const retries = Number(opt.retries);
if (!['fast', 'slow', 'all'].includes(opt.workload)) throw new Error('--workload must be fast, slow or all');
const workloads = opt.workload === 'all' ? ['fast', 'slow'] : [opt.workload];

// spry as measured: a committed snapshot (--spry-ref), or the live tree.
const spryTree = opt['spry-ref'] ? snapshotSpry(opt['spry-ref']) : null;
if (spryTree) setSpryRoot(spryTree.dir);
ensureBuilt(spryTree ? spryTree.dir : REPO_DIR);
const spryVersion = spryTree ? { ref: opt['spry-ref'], sha: spryTree.sha, snapshot: spryTree.dir } : { live: describeLiveTree() };
const { chosen, skipped } = selectFrameworks({ only: opt.only, skipFastapi: opt['skip-fastapi'] });
for (const s of skipped) console.error(`skipping ${s.name}: ${s.why}`);
if (chosen.length === 0) throw new Error('no framework to benchmark');

const names = chosen.map((f) => f.name);
const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);
const command = `node run.mjs ${process.argv.slice(2).join(' ')}`.trim();
const perRun = warmupS + durationS + 2;
const estimateMin = Math.ceil((rounds * workloads.length * chosen.length * perRun) / 60);
console.error(`${command}\nframeworks: ${names.join(', ')}; workloads: ${workloads.join(', ')}; ~${estimateMin} min`);

const samples = [];
const failed = new Map(); // framework → error; a broken app is dropped, the rest go on

for (let round = 0; round < rounds; round++) {
  for (const wlName of workloads) {
    for (const fw of rotate(chosen, round)) {
      if (failed.has(fw.name)) continue;
      try {
        const sample = await measureThroughput(fw, WORKLOADS[wlName], {
          node: SERVER_NODE, warmupS, durationS, connections, maxForeign, retries, label: `round ${round + 1}/${rounds} ${wlName.padEnd(4)} `,
        });
        samples.push({ round, workload: wlName, framework: fw.name, ...sample });
      } catch (e) {
        console.error(`\n${fw.name} FAILED in round ${round + 1} (${wlName}): ${e.message}\n`);
        failed.set(fw.name, e.message.split('\n')[0]);
      }
    }
  }
}

const data = { command, options: opt, environment: environment(), spry: spryVersion, frameworks: names, samples, failed: Object.fromEntries(failed), skipped };
const file = saveResults('run', data);
console.log(renderRun(data));
console.error(`\nraw samples: ${file}`);
process.exit(failed.size ? 1 : 0);
