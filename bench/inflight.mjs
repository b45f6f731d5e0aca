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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { selectFrameworks, setSpryRoot } from './lib/frameworks.mjs';
import { describeLiveTree, snapshotSpry } from './lib/spry-snapshot.mjs';
import { cpuBusyTicks, foreignLoad, processCpuTicks, processTree, readListenOverflows } from './lib/procfs.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { checkResponse, startServer } from './lib/start-server.mjs';
import { fmt, markdownTable, median, ratio } from './lib/table.mjs';
import { describeSpry, environment, saveResults } from './lib/report.mjs';

const LIB = join(dirname(fileURLToPath(import.meta.url)), 'lib');
const LOAD_CPU = 1;
const READY_TIMEOUT_S = 30;

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
const spryVersion = spryTree ? { ref: opt['spry-ref'], sha: spryTree.sha, snapshot: spryTree.dir } : { live: describeLiveTree() };
const { chosen, skipped } = selectFrameworks({ only: opt.only, skipFastapi: opt['skip-fastapi'] });
for (const s of skipped) console.error(`skipping ${s.name}: ${s.why}`);
if (chosen.length === 0) throw new Error('no framework to benchmark');
const command = `node inflight.mjs ${process.argv.slice(2).join(' ')}`.trim();
console.error(command);

// Read JSON lines from a child's stdout; resolve waiters by event name.
function jsonLines(child) {
  const waiters = [];
  const seen = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    seen.push(msg);
    for (const w of [...waiters]) if (w.match(msg)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(msg); }
  });
  return {
    last: () => seen.at(-1),
    waitFor(match, timeoutMs, what) {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (m) => { clearTimeout(t); resolve(m); } };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${JSON.stringify(seen.at(-1))}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
  };
}

async function measure(fw) {
  const quietBusy = await waitForQuiet();
  const server = await startServer(fw, { slowSeconds });
  let load;
  try {
    await checkResponse(server, '/fast_task/', { message: 'This is fast!' });
    const overflowsBefore = readListenOverflows();
    const maxSeconds = READY_TIMEOUT_S + durationS + 60;
    load = spawnPinned([process.execPath, join(LIB, 'inflight-load.mjs'), String(server.port), String(inflight), String(rampSeconds), String(maxSeconds)], {
      cpu: LOAD_CPU, nice: 10, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const loadErr = tail(load.stderr);
    const loadMsgs = jsonLines(load);
    await loadMsgs.waitFor((m) => m.event === 'ready', READY_TIMEOUT_S * 1000, `${inflight} requests in flight`).catch((e) => {
      throw new Error(`${e.message}\n${loadErr()}`);
    });

    const listenOverflows = readListenOverflows() - overflowsBefore;
    const foreign = foreignLoad(0, processTree(server.pid));
    const core1Before = cpuBusyTicks()[LOAD_CPU];
    const loadTicksBefore = processCpuTicks(load.pid);
    const probe = spawnPinned([process.execPath, join(LIB, 'probe.mjs'), String(server.port), String(rate), String(durationS), String(pool)], { cpu: LOAD_CPU });
    const probeErr = tail(probe.stderr);
    const probeMsgs = jsonLines(probe);
    const p = await probeMsgs.waitFor(() => true, (durationS + 40) * 1000, 'the probe').catch(async (e) => {
      await stopChild(probe, 500);
      throw new Error(`${e.message}\n${probeErr()}`);
    });
    const core1After = cpuBusyTicks()[LOAD_CPU];
    const loadTicks = processCpuTicks(load.pid) - loadTicksBefore;
    await stopChild(probe, 500);

    const foreignCpu0 = foreign();
    const core1Total = core1After.busy + core1After.idle - core1Before.busy - core1Before.idle;
    const foreignCpu1 = Math.max(0, (core1After.busy - core1Before.busy - loadTicks - p.cpuTicks) / core1Total);
    // RSS while all requests are still parked in the server.
    const rssKb = server.rssKb();
    const treeRssKb = server.treeRssKb();
    const before = loadMsgs.last();
    load.stdin.write('stop\n');
    const done = await loadMsgs.waitFor((m) => m.event === 'done', 10_000, 'the load process to stop');
    return {
      framework: fw.name, rssKb, treeRssKb, processes: server.treeSize(),
      p50: p.p50, p90: p.p90, p99: p.p99, max: p.max, probeSent: p.sent, probeErrors: p.errors,
      inFlightAtEnd: before?.inFlight ?? null, listenOverflows, foreignCpu0, foreignCpu1, machineBusyBefore: quietBusy, timeline: p.timeline,
      slowCompleted: done.completed, slowErrors: done.errors, slowNon200: done.non200,
      slowP50: done.slowP50, slowP99: done.slowP99,
    };
  } finally {
    if (load) await stopChild(load, 1000);
    await server.stop();
  }
}

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
const samples = [];
const failed = new Map();
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < chosen.length; i++) {
    const fw = chosen[(i + round) % chosen.length];
    if (failed.has(fw.name)) continue;
    try {
      // Keep the least disturbed attempt: interference only ever hurts.
      let kept;
      for (let attempt = 0; ; attempt++) {
        const s = await measure(fw);
        const noisy = s.foreignCpu0 > maxForeign || s.foreignCpu1 > maxForeign;
        console.error(
          `round ${round + 1}/${rounds} ${fw.name.padEnd(9)} /fast_task/ p50 ${fmt.ms(s.p50)} ms  p99 ${fmt.ms(s.p99)} ms  max ${fmt.ms(s.max)} ms  ` +
          `RSS ${fmt.mb(s.rssKb)} MB  in flight ${s.inFlightAtEnd}  slow p99 ${fmt.ms(s.slowP99)} ms  ` +
          `errors probe=${s.probeErrors} slow=${s.slowErrors + s.slowNon200}` +
          (s.listenOverflows ? `  listen-backlog overflows during ramp: ${s.listenOverflows}` : '') +
          (noisy ? `  DISTURBED: other processes used ${pct(s.foreignCpu0)} of core 0, ${pct(s.foreignCpu1)} of core 1` : ''),
        );
        const interference = Math.max(s.foreignCpu0 ?? 0, s.foreignCpu1 ?? 0);
        if (!kept || interference < kept.interference) kept = { round, ...s, interference, disturbed: noisy };
        if (!noisy || attempt >= retries) {
          samples.push({ ...kept, attempts: attempt + 1 });
          break;
        }
      }
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
