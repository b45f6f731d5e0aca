// Turning per-round samples into the tables printed by run.mjs, and saving raw data.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, markdownTable, median, ratio } from './table.mjs';
import { FRAMEWORKS, PYTHON } from './frameworks.mjs';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

export function summarize(samples, frameworks) {
  return frameworks.map((name) => {
    const s = samples.filter((x) => x.framework === name);
    const rps = s.map((x) => x.rps);
    return {
      framework: name,
      rounds: s.length,
      rps: median(rps),
      rpsMin: s.length ? Math.min(...rps) : null,
      rpsMax: s.length ? Math.max(...rps) : null,
      p50: median(s.map((x) => x.p50)),
      p99: median(s.map((x) => x.p99)),
      rssKb: median(s.map((x) => x.rssKb)),
      cpuUsPerReq: median(s.map((x) => x.cpuUsPerReq).filter((x) => typeof x === 'number')),
      errors: s.reduce((a, x) => a + x.non2xx + x.socketErrors, 0),
      disturbed: s.filter((x) => x.disturbed).length,
    };
  });
}

// 'best' is the highest req/s of the rounds: on a shared machine, interference
// only ever lowers throughput, so the best round is the least disturbed one.
export function workloadTable(rows) {
  const spry = rows.find((r) => r.framework === 'spry');
  const headers = ['framework', 'req/s (median)', 'req/s min–max', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', 'disturbed', 'errors', 'spry / X (median)', 'spry / X (best)', 'X / spry CPU'];
  const body = rows.map((r) => [
    r.framework,
    fmt.int(r.rps),
    `${fmt.int(r.rpsMin)}–${fmt.int(r.rpsMax)}`,
    fmt.ms(r.p50),
    fmt.ms(r.p99),
    fmt.mb(r.rssKb),
    r.cpuUsPerReq === null || r.cpuUsPerReq === undefined ? 'n/a' : r.cpuUsPerReq.toFixed(1),
    `${r.disturbed}/${r.rounds}`,
    String(r.errors),
    spry && r.framework !== 'spry' ? fmt.ratio(ratio(spry.rps, r.rps)) : '',
    spry && r.framework !== 'spry' ? fmt.ratio(ratio(spry.rpsMax, r.rpsMax)) : '',
    // Lower CPU per request is better: above 1.0x, spry spends less than X on each request.
    spry && r.framework !== 'spry' && spry.cpuUsPerReq && r.cpuUsPerReq ? fmt.ratio(r.cpuUsPerReq / spry.cpuUsPerReq) : '',
  ]);
  return markdownTable(headers, body);
}

// The project's throughput targets; reported, never tuned for. Judged on medians.
export function throughputTargets(workload, rows) {
  const get = (n) => rows.find((r) => r.framework === n);
  const spry = get('spry');
  const goals = {
    fast: [['raw-node', 1.0]],
    slow: [['fastify', 1.1], ['fastapi', 2.5]],
  }[workload] ?? [];
  return goals.map(([other, min]) => {
    const o = get(other);
    if (!spry || !o) return `- ${workload}: spry >= ${min.toFixed(1)}x ${other} req/s — not measured (${!spry ? 'spry' : other} missing)`;
    const r = ratio(spry.rps, o.rps);
    const best = ratio(spry.rpsMax, o.rpsMax);
    return `- ${workload}: spry >= ${min.toFixed(1)}x ${other} req/s — median ${fmt.ratio(r)}: ${r >= min ? 'met' : 'NOT met'} (best rounds: ${fmt.ratio(best)})`;
  });
}

export const WORKLOAD_TITLES = {
  fast: 'fast: GET /fast_task/',
  slow: 'slow: GET /slow_task/42?q=test (SLOW_TASK_SECONDS=0)',
};

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);

// The Markdown report of run.mjs, from its saved data (so it can be re-rendered
// later with `node run.mjs --from results/run-….json`).
export function describeSpry(spry) {
  if (!spry) return 'spry: version not recorded';
  if (spry.sha) return `spry: commit ${spry.sha.slice(0, 12)} (--spry-ref ${spry.ref})`;
  if (spry.live) return `spry: live work tree at ${spry.live.sha.slice(0, 12)}${spry.live.dirty ? ' with uncommitted changes' : ''}`;
  return 'spry: version unknown';
}

export function renderRun({ command, options, frameworks, samples, failed = {}, skipped = [], spry }) {
  const workloads = [...new Set(samples.map((s) => s.workload))];
  const names = frameworks ?? FRAMEWORKS.map((f) => f.name);
  const out = [
    `Command: \`cd bench && ${command}\``,
    `(${options.rounds} rounds × ${options.duration} s, ${options.connections} connections, wrk -t1 on core 1, server on core 0; medians over rounds; ${describeSpry(spry)})`,
  ];
  for (const wl of workloads) {
    const rows = summarize(samples.filter((s) => s.workload === wl), names.filter((n) => samples.some((s) => s.framework === n && s.workload === wl)));
    out.push('', `### ${WORKLOAD_TITLES[wl] ?? wl}`, '', workloadTable(rows));
    const t = throughputTargets(wl, rows);
    if (t.length) out.push('', 'Targets:', ...t);
  }
  const disturbed = samples.filter((s) => s.disturbed);
  if (disturbed.length) {
    out.push('', `Note: ${disturbed.length} of ${samples.length} samples were disturbed (other processes used > ${pct(Number(options['max-foreign']))} of core 0 or 1, after ${options.retries} retries): ` +
      disturbed.map((s) => `${s.workload}/${s.framework}/round ${s.round + 1} (${pct(s.foreignCpu0)}, ${pct(s.foreignCpu1)})`).join(', '));
  }
  for (const [name, why] of Object.entries(failed)) out.push('', `**${name} failed**: ${why}`);
  for (const s of skipped) out.push('', `_${s.name} not measured: ${s.why}_`);
  const multi = samples.filter((s) => s.processes > 1);
  if (multi.length) {
    const extra = median(multi.map((s) => s.treeRssKb - s.rssKb));
    out.push('', `Note: RSS is the listening process only. In ${multi.length} samples (${[...new Set(multi.map((s) => s.framework))].join(', ')}) ` +
      `it had child processes too (e.g. tsx's esbuild service), adding a median ${fmt.mb(extra)} MB.`);
  }
  return out.join('\n');
}

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    return (e.stdout || e.stderr || String(e)).toString().trim().split('\n')[0];
  }
}

export function environment() {
  return {
    node: process.version,
    wrk: tryRun('wrk', ['--version']).split('\n')[0],
    python: tryRun(PYTHON, ['--version']),
    kernel: os.release(),
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    date: new Date().toISOString(),
  };
}

export function saveResults(prefix, data) {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}
