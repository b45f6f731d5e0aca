#!/usr/bin/env node
// Throughput benchmark: spry's seed app vs raw node:http, Fastify, Hono, FastAPI.
// Rounds are interleaved (round → workload → framework in a rotating order) so a
// slow drift of the machine (thermal, noisy neighbour) spreads over every framework
// instead of landing on whichever ran last.
//
//   node run.mjs [--rounds 5] [--duration 10] [--connections 100]
//                [--only spry,raw-node] [--workload fast|slow|all] [--skip-fastapi]
import { parseArgs } from 'node:util';
import { selectFrameworks } from './lib/frameworks.mjs';
import { HOST, checkResponse, startServer } from './lib/start-server.mjs';
import { foreignLoad, processTree } from './lib/procfs.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { runWrk } from './lib/wrk.mjs';
import { fmt, median } from './lib/table.mjs';
import { environment, saveResults, summarize, throughputTargets, workloadTable } from './lib/report.mjs';

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
    retries: { type: 'string', default: '2' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opt.help) {
  console.log('node run.mjs [--rounds N] [--duration S] [--connections C] [--warmup S] [--only a,b] [--workload fast|slow|all] [--skip-fastapi]');
  process.exit(0);
}

const positiveInt = (name) => {
  const v = Number(opt[name]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got "${opt[name]}"`);
  return v;
};
const rounds = positiveInt('rounds');
const durationS = positiveInt('duration');
const connections = positiveInt('connections');
const warmupS = positiveInt('warmup');
const maxForeign = Number(opt['max-foreign']);
const retries = Number(opt.retries);
if (!['fast', 'slow', 'all'].includes(opt.workload)) throw new Error('--workload must be fast, slow or all');
const workloads = opt.workload === 'all' ? ['fast', 'slow'] : [opt.workload];

const { chosen, skipped } = selectFrameworks({ only: opt.only, skipFastapi: opt['skip-fastapi'] });
for (const s of skipped) console.error(`skipping ${s.name}: ${s.why}`);
if (chosen.length === 0) throw new Error('no framework to benchmark');

const names = chosen.map((f) => f.name);
const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);
const command = `node run.mjs ${process.argv.slice(2).join(' ')}`.trim();
const perRun = warmupS + durationS + 2;
const estimateMin = Math.ceil((rounds * workloads.length * chosen.length * perRun) / 60);
console.error(`${command}\nframeworks: ${names.join(', ')}; workloads: ${workloads.join(', ')}; ~${estimateMin} min`);

async function measureOnce(fw, wlName, round) {
  const wl = WORKLOADS[wlName];
  const quietBusy = await waitForQuiet();
  const server = await startServer(fw, { slowSeconds: wl.slowSeconds });
  try {
    await checkResponse(server, wl.path, wl.expected);
    const url = `http://${HOST}:${server.port}${wl.path}`;
    await runWrk({ url, durationS: warmupS, connections }); // JIT, pools, caches
    const foreign = foreignLoad(0, processTree(server.pid));
    const r = await runWrk({ url, durationS, connections });
    return {
      round, workload: wlName, framework: fw.name,
      rps: r.rps, requests: r.requests, p50: r.p50, p90: r.p90, p99: r.p99,
      non2xx: r.non2xx, socketErrors: r.socketErrors,
      rssKb: server.rssKb(), treeRssKb: server.treeRssKb(), processes: server.treeSize(),
      serverPid: server.serverPid, launchedPid: server.pid,
      foreignCpu0: foreign(), foreignCpu1: r.foreignCpu1, machineBusyBefore: quietBusy,
    };
  } finally {
    await server.stop();
  }
}

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
const samples = [];
const failed = new Map(); // framework → error; a broken app is dropped, the rest go on

for (let round = 0; round < rounds; round++) {
  for (const wlName of workloads) {
    for (const fw of rotate(chosen, round)) {
      if (failed.has(fw.name)) continue;
      try {
        for (let attempt = 0; ; attempt++) {
          const sample = await measureOnce(fw, wlName, round);
          const noisy = sample.foreignCpu0 > maxForeign || sample.foreignCpu1 > maxForeign;
          console.error(
            `round ${round + 1}/${rounds} ${wlName.padEnd(4)} ${fw.name.padEnd(9)} ` +
            `${fmt.int(sample.rps).padStart(8)} req/s  p50 ${fmt.ms(sample.p50)} ms  p99 ${fmt.ms(sample.p99)} ms  ` +
            `RSS ${fmt.mb(sample.rssKb)} MB` +
            (sample.non2xx || sample.socketErrors ? `  ERRORS non2xx=${sample.non2xx} socket=${sample.socketErrors}` : '') +
            (noisy ? `  DISTURBED: other processes used ${pct(sample.foreignCpu0)} of core 0 (server), ${pct(sample.foreignCpu1)} of core 1 (wrk)` : ''),
          );
          if (!noisy || attempt >= retries) {
            samples.push({ ...sample, disturbed: noisy, attempts: attempt + 1 });
            break;
          }
        }
      } catch (e) {
        console.error(`\n${fw.name} FAILED in round ${round + 1} (${wlName}): ${e.message}\n`);
        failed.set(fw.name, e.message.split('\n')[0]);
      }
    }
  }
}

const out = [];
out.push(`Command: \`cd bench && ${command}\``);
out.push(`(${rounds} rounds × ${durationS} s, ${connections} connections, wrk -t1 on core 1, server on core 0; medians over rounds)`);
const summaries = {};
for (const wlName of workloads) {
  const rows = summarize(samples.filter((s) => s.workload === wlName), names.filter((n) => !failed.has(n) || samples.some((s) => s.framework === n && s.workload === wlName)));
  summaries[wlName] = rows;
  out.push('', `### ${wlName}: GET ${WORKLOADS[wlName].path}${wlName === 'slow' ? ' (SLOW_TASK_SECONDS=0)' : ''}`, '', workloadTable(rows));
  const t = throughputTargets(wlName, rows);
  if (t.length) out.push('', 'Targets:', ...t);
}
const disturbed = samples.filter((s) => s.disturbed);
if (disturbed.length) {
  out.push('', `Note: ${disturbed.length} of ${samples.length} samples were disturbed (other processes used > ${pct(maxForeign)} of core 0 or 1 even after ${retries} retries): ` +
    disturbed.map((s) => `${s.workload}/${s.framework}/round ${s.round + 1} (${pct(s.foreignCpu0)}, ${pct(s.foreignCpu1)})`).join(', '));
}
for (const [name, why] of failed) out.push('', `**${name} failed**: ${why}`);
for (const s of skipped) out.push('', `_${s.name} not measured: ${s.why}_`);
const multi = samples.filter((s) => s.processes > 1);
if (multi.length) {
  const extra = median(multi.map((s) => s.treeRssKb - s.rssKb));
  out.push('', `Note: RSS is the listening process only. In ${multi.length} samples (${[...new Set(multi.map((s) => s.framework))].join(', ')}) ` +
    `it had child processes too (e.g. tsx's esbuild service), adding a median ${fmt.mb(extra)} MB.`);
}

const file = saveResults('run', { command, options: opt, environment: environment(), samples, summaries, failed: Object.fromEntries(failed), skipped });
console.log(out.join('\n'));
console.error(`\nraw samples: ${file}`);
process.exit(failed.size ? 1 : 0);
