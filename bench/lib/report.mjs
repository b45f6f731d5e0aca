// Turning per-round samples into the tables printed by run.mjs, and saving raw data.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, markdownTable, median, ratio } from './table.mjs';

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
      errors: s.reduce((a, x) => a + x.non2xx + x.socketErrors, 0),
    };
  });
}

export function workloadTable(rows) {
  const spry = rows.find((r) => r.framework === 'spry');
  const headers = ['framework', 'req/s (median)', 'req/s min–max', 'p50 ms', 'p99 ms', 'RSS MB', 'errors', 'spry / X (req/s)'];
  const body = rows.map((r) => [
    r.framework,
    fmt.int(r.rps),
    `${fmt.int(r.rpsMin)}–${fmt.int(r.rpsMax)}`,
    fmt.ms(r.p50),
    fmt.ms(r.p99),
    fmt.mb(r.rssKb),
    String(r.errors),
    spry && r.framework !== 'spry' ? fmt.ratio(ratio(spry.rps, r.rps)) : '',
  ]);
  return markdownTable(headers, body);
}

// The project's throughput targets; reported, never tuned for.
export function throughputTargets(workload, rows) {
  const get = (n) => rows.find((r) => r.framework === n);
  const spry = get('spry');
  const goals = {
    fast: [['raw-node', 1.0]],
    slow: [['fastify', 1.1], ['fastapi', 2.5]],
  }[workload] ?? [];
  return goals.map(([other, min]) => {
    const o = get(other);
    const r = spry && o ? ratio(spry.rps, o.rps) : null;
    const status = r === null ? `not measured (${!spry ? 'spry' : other} missing)` : r >= min ? 'met' : 'NOT met';
    return `- ${workload}: spry >= ${min.toFixed(1)}x ${other} req/s — ${r === null ? '' : `${fmt.ratio(r)}: `}${status}`;
  });
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
    python: tryRun('/usr/bin/python3', ['--version']),
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
