#!/usr/bin/env node
// The seed article's scenario: thousands of requests parked in a 5 s await must
// not slow down a cheap endpoint. For each framework: start it with
// SLOW_TASK_SECONDS=5, hold 5,000 /slow_task/ requests in flight (each re-issued
// as it completes), and once all are in flight probe /fast_task/ at a fixed rate
// for 10 s on a separate pool of 10 keep-alive connections. Then read the
// server's RSS while the 5,000 are still in flight.
//
//   node inflight.mjs [--rounds 3] [--inflight 5000] [--rate 200] [--duration 10]
//                     [--ramp-seconds 1] [--slow-seconds 5] [--only spry,raw-node] [--skip-fastapi]
import { parseArgs } from 'node:util';
import { selectFrameworks, setSpryRoot } from './lib/frameworks.mjs';
import { REPO_DIR, describeLiveTree, snapshotSpry } from './lib/spry-snapshot.mjs';
import { measureInflightKept } from './lib/inflight-measure.mjs';
import { ensureBuilt } from './lib/spry-build.mjs';
import { nodeBinary } from './lib/hosts.mjs';

// Every Node server runs on Node 24, the repository's `node` devDependency (else this Node).
const SERVER_NODE = nodeBinary(24) ?? process.execPath;
import { fmt, markdownTable, median, ratio } from './lib/table.mjs';
import { describeSpry, environment, saveResults } from './lib/report.mjs';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    inflight: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    'slow-seconds': { type: 'string', default: '5' },
    'ramp-seconds': { type: 'string', default: '1' },
    pool: { type: 'string', default: '10' },
    // As in run.mjs: a sample disturbed by other processes on core 0 or 1 is retried.
    'max-foreign': { type: 'string', default: '0.05' },
    // Run spry from a snapshot of this commit instead of the live work tree.
    'spry-ref': { type: 'string' },
    retries: { type: 'string', default: '2' },
    only: { type: 'string' },
    'skip-fastapi': { type: 'boolean', default: false },
  },
});
const num = (k) => {
  const v = Number(opt[k]);
  if (!(v > 0)) throw new Error(`--${k} must be a positive number`);
  return v;
};
const rounds = num('rounds');
const inflight = num('inflight');
const rate = num('rate');
const durationS = num('duration');
const slowSeconds = num('slow-seconds');
const pool = num('pool');
const rampSeconds = num('ramp-seconds');
const maxForeign = Number(opt['max-foreign']);
const retries = Number(opt.retries);

// spry as measured: a committed snapshot (--spry-ref), or the live tree.
const spryTree = opt['spry-ref'] ? snapshotSpry(opt['spry-ref']) : null;
if (spryTree) setSpryRoot(spryTree.dir);
ensureBuilt(spryTree ? spryTree.dir : REPO_DIR);
const spryVersion = spryTree ? { ref: opt['spry-ref'], sha: spryTree.sha, snapshot: spryTree.dir } : { live: describeLiveTree() };
const { chosen, skipped } = selectFrameworks({ only: opt.only, skipFastapi: opt['skip-fastapi'] });
for (const s of skipped) console.error(`skipping ${s.name}: ${s.why}`);
if (chosen.length === 0) throw new Error('no framework to benchmark');
const command = `node inflight.mjs ${process.argv.slice(2).join(' ')}`.trim();
console.error(command);

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
const samples = [];
const failed = new Map();
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < chosen.length; i++) {
    const fw = chosen[(i + round) % chosen.length];
    if (failed.has(fw.name)) continue;
    try {
      const s = await measureInflightKept(fw, { inflight, rampSeconds, durationS, rate, pool, slowSeconds, node: SERVER_NODE }, { maxForeign, retries, label: `round ${round + 1}/${rounds} ` });
      samples.push({ round, ...s });
    } catch (e) {
      console.error(`\n${fw.name} FAILED in round ${round + 1}: ${e.message}\n`);
      failed.set(fw.name, e.message.split('\n')[0]);
    }
  }
}

// Saved before any summarising, so a bug below cannot lose the measurements.
const file = saveResults('inflight', { command, options: opt, environment: environment(), spry: spryVersion, samples, failed: Object.fromEntries(failed), skipped });

const names = chosen.map((f) => f.name).filter((n) => samples.some((s) => s.framework === n));
const rows = names.map((name) => {
  const s = samples.filter((x) => x.framework === name);
  const m = (k) => median(s.map((x) => x[k]));
  return {
    framework: name, rounds: s.length, p50: m('p50'), p99: m('p99'), max: m('max'), rssKb: m('rssKb'), slowP99: m('slowP99'),
    // Interference only ever adds latency, so the lowest p99 is the least disturbed round.
    p99Best: Math.min(...s.map((x) => x.p99)),
    disturbed: s.filter((x) => x.disturbed).length,
    errors: s.reduce((a, x) => a + x.probeErrors + x.slowErrors + x.slowNon200, 0),
  };
});
const spry = rows.find((r) => r.framework === 'spry');
const raw = rows.find((r) => r.framework === 'raw-node');
const table = markdownTable(
  ['framework', '/fast_task/ p50 ms', 'p99 ms (median)', 'p99 ms (best)', 'max ms', 'RSS MB', '/slow_task/ p99 ms', 'disturbed', 'errors', 'spry / X p99 (median)', 'spry / X p99 (best)', 'spry / X RSS'],
  rows.map((r) => [
    r.framework, fmt.ms(r.p50), fmt.ms(r.p99), fmt.ms(r.p99Best), fmt.ms(r.max), fmt.mb(r.rssKb), fmt.ms(r.slowP99),
    `${r.disturbed}/${r.rounds}`, String(r.errors),
    spry && r !== spry ? fmt.ratio(ratio(spry.p99, r.p99)) : '',
    spry && r !== spry ? fmt.ratio(ratio(spry.p99Best, r.p99Best)) : '',
    spry && r !== spry ? fmt.ratio(ratio(spry.rssKb, r.rssKb)) : '',
  ]),
);

const out = [
  `Command: \`cd bench && ${command}\``,
  `(${inflight} /slow_task/ requests opened over ${rampSeconds} s and held in flight with SLOW_TASK_SECONDS=${slowSeconds}; /fast_task/ probed at ${rate} req/s over ${pool} keep-alive connections for ${durationS} s; ` +
    `latency from scheduled send time; RSS read while the requests are in flight; medians over ${rounds} round(s); lower ratios are better; ${describeSpry(spryVersion)})`,
  '',
  table,
  '',
  'Targets:',
];
if (spry && raw) {
  const pr = ratio(spry.p99, raw.p99);
  const rr = ratio(spry.rssKb, raw.rssKb);
  out.push(`- inflight: spry /fast_task/ p99 <= raw-node's — median ${fmt.ratio(pr)}: ${pr <= 1 ? 'met' : 'NOT met'} (best rounds: ${fmt.ratio(ratio(spry.p99Best, raw.p99Best))})`);
  out.push(`- inflight: spry RSS <= 1.1x raw-node's — median ${fmt.ratio(rr)}: ${rr <= 1.1 ? 'met' : 'NOT met'}`);
} else {
  out.push(`- not measured (${!spry ? 'spry' : 'raw-node'} missing)`);
}
const disturbed = samples.filter((s) => s.disturbed);
if (disturbed.length) {
  out.push('', `Note: ${disturbed.length} of ${samples.length} samples were disturbed (other processes used > ${pct(maxForeign)} of core 0 or 1 even after ${retries} retries): ` +
    disturbed.map((s) => `${s.framework}/round ${s.round + 1} (${pct(s.foreignCpu0)}, ${pct(s.foreignCpu1)})`).join(', '));
}
for (const [name, why] of failed) out.push('', `**${name} failed**: ${why}`);
for (const s of skipped) out.push('', `_${s.name} not measured: ${s.why}_`);

console.log(out.join('\n'));
console.error(`\nraw samples: ${file}`);
process.exit(failed.size ? 1 : 0);
