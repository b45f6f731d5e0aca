// The tables and verdicts of bench/targets.mjs, from its saved data (so that
// `node targets.mjs --from results/targets-….json` prints them again).
import { fmt, markdownTable, median, ratio } from './table.mjs';
import { WORKLOADS } from './workloads.mjs';
import { describeSpry } from './report.mjs';

const runtimeLabel = (r) => (r === 'bun' ? 'Bun' : `Node ${r.replace('node', '')}`);
const signed = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const cpuText = (x) => (x === null || x === undefined ? 'n/a' : x.toFixed(1));

function summarize(samples) {
  const m = (k) => median(samples.map((x) => x[k]));
  return {
    rounds: samples.length,
    rps: m('rps'),
    rpsMin: Math.min(...samples.map((x) => x.rps ?? Infinity)),
    rpsMax: Math.max(...samples.map((x) => x.rps ?? -Infinity)),
    p50: m('p50'), p99: m('p99'), max: m('max'), rssKb: m('rssKb'), slowP99: m('slowP99'),
    cpu: median(samples.map((x) => x.cpuUsPerReq).filter((x) => typeof x === 'number')),
    p99Best: Math.min(...samples.map((x) => x.p99)),
    disturbed: samples.filter((x) => x.disturbed).length,
    errors: samples.reduce((a, x) => a + (x.non2xx ?? 0) + (x.socketErrors ?? 0) + (x.probeErrors ?? 0) + (x.slowErrors ?? 0) + (x.slowNon200 ?? 0), 0),
  };
}

// { [workload]: { [runtime]: { [app]: summary } } }
export function summarizeAll(samples) {
  const out = {};
  for (const s of samples) ((out[s.workload] ??= {})[s.runtime] ??= {})[s.app] ??= null;
  for (const [w, byRuntime] of Object.entries(out)) {
    for (const [r, byApp] of Object.entries(byRuntime)) {
      for (const app of Object.keys(byApp)) byApp[app] = summarize(samples.filter((s) => s.workload === w && s.runtime === r && s.app === app));
    }
  }
  return out;
}

function throughputTable(rows, subject) {
  const s = rows[subject];
  return markdownTable(
    ['app', 'req/s (median)', 'req/s min–max', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', 'disturbed', 'errors', `${subject} / X req/s`, `X / ${subject} CPU`],
    Object.entries(rows).map(([name, r]) => [
      name, fmt.int(r.rps), `${fmt.int(r.rpsMin)}–${fmt.int(r.rpsMax)}`, fmt.ms(r.p50), fmt.ms(r.p99), fmt.mb(r.rssKb), cpuText(r.cpu),
      `${r.disturbed}/${r.rounds}`, String(r.errors),
      s && name !== subject ? fmt.ratio(ratio(s.rps, r.rps)) : '',
      s && name !== subject && s.cpu && r.cpu ? fmt.ratio(r.cpu / s.cpu) : '',
    ]),
  );
}

function inflightTable(rows, subject) {
  const s = rows[subject];
  return markdownTable(
    ['app', '/fast_task/ p50 ms', 'p99 ms (median)', 'p99 ms (best)', 'max ms', 'RSS MB', '/slow_task/ p99 ms', 'disturbed', 'errors', `${subject} / X p99`, `${subject} / X RSS`],
    Object.entries(rows).map(([name, r]) => [
      name, fmt.ms(r.p50), fmt.ms(r.p99), fmt.ms(r.p99Best), fmt.ms(r.max), fmt.mb(r.rssKb), fmt.ms(r.slowP99), `${r.disturbed}/${r.rounds}`, String(r.errors),
      s && name !== subject ? fmt.ratio(ratio(s.p99, r.p99)) : '',
      s && name !== subject ? fmt.ratio(ratio(s.rssKb, r.rssKb)) : '',
    ]),
  );
}

// One target on one runtime: { text, met } (met is null when it could not be judged).
function judge(target, rows, subject, pairs) {
  const s = rows?.[subject];
  const a = rows?.[target.anchor];
  if (target.maxOverhead !== undefined && pairs !== undefined) {
    const over = pairs.ratio - 1;
    const single = s?.cpu && a?.cpu ? `; one at a time ${signed(s.cpu / a.cpu - 1)}` : '';
    return {
      text: `${signed(over)} CPU paired (${cpuText(pairs.subjectCpu)} vs ${cpuText(pairs.anchorCpu)} µs, median of ${pairs.bursts} pairs, ` +
        `${signed(pairs.ratioMin - 1)} to ${signed(pairs.ratioMax - 1)}${pairs.oneProcess ? ', one process' : ''}${single})`,
      met: over <= target.maxOverhead,
    };
  }
  if (!s || !a) return { text: 'not measured', met: null };
  if (target.metric === 'p99') {
    const r = ratio(s.p99, a.p99);
    return { text: `${fmt.ratio(r)} (${fmt.ms(s.p99)} vs ${fmt.ms(a.p99)} ms; best rounds ${fmt.ratio(ratio(s.p99Best, a.p99Best))})`, met: r !== null && r <= target.max };
  }
  if (target.metric === 'rss') {
    const r = ratio(s.rssKb, a.rssKb);
    return { text: `${fmt.ratio(r)} (${fmt.mb(s.rssKb)} vs ${fmt.mb(a.rssKb)} MB)`, met: r !== null && r <= target.max };
  }
  if (!s.cpu || !a.cpu) return { text: 'no CPU reading', met: null };
  const rps = fmt.ratio(ratio(s.rps, a.rps));
  if (target.maxOverhead !== undefined) {
    const over = s.cpu / a.cpu - 1;
    return { text: `${over >= 0 ? '+' : ''}${(over * 100).toFixed(1)}% CPU (${cpuText(s.cpu)} vs ${cpuText(a.cpu)} µs; req/s ${rps})`, met: over <= target.maxOverhead };
  }
  const r = a.cpu / s.cpu;
  return { text: `${fmt.ratio(r)} (${cpuText(s.cpu)} vs ${cpuText(a.cpu)} µs; req/s ${rps})`, met: r >= target.min };
}

function targetText(t, subject) {
  if (t.metric === 'p99') return `${subject} /fast_task/ p99 <= ${t.max}x ${t.anchor}'s`;
  if (t.metric === 'rss') return `${subject} RSS <= ${t.max}x ${t.anchor}'s`;
  if (t.maxOverhead !== undefined) return `${subject} at most ${(t.maxOverhead * 100).toFixed(0)}% over ${t.anchor} (CPU/req, paired bursts when measured)`;
  return `${subject} >= ${t.min.toFixed(1)}x ${t.anchor} (CPU/req)`;
}

export function renderTargets({ command, options, spry, environment, samples, paired = {}, failed = {}, skipped = [] }) {
  const summary = summarizeAll(samples);
  const runtimes = [...new Set(samples.map((s) => s.runtime))];
  const primary = runtimes.includes('node24') ? 'node24' : runtimes.find((r) => r !== 'bun');
  const others = runtimes.filter((r) => r !== primary && r !== 'bun');
  const out = [
    `Command: \`cd bench && ${command}\``,
    `(${options.rounds} rounds × ${options.duration} s, ${options.connections} connections, wrk -t1 on core 1, server on core 0, interleaved, medians; ` +
      `CPU µs/req is the server process's user+system time per request; ${describeSpry(spry)}; harness on Node ${environment?.node}; ${environment?.date ?? ''})`,
  ];
  const verdicts = [];
  for (const [name, byRuntime] of Object.entries(summary)) {
    const w = WORKLOADS[name];
    const subject = w.apps[0].name;
    for (const [runtime, rows] of Object.entries(byRuntime)) {
      out.push('', `### ${w.title}, ${runtimeLabel(runtime)}`, '', w.kind === 'inflight' ? inflightTable(rows, subject) : throughputTable(rows, subject));
    }
    for (const t of w.targets) {
      const main = w.runtime === 'bun' ? 'bun' : primary;
      const pairs = paired[name]?.runtime === main ? paired[name] : undefined;
      const v = judge(t, byRuntime[main], subject, pairs);
      verdicts.push([name, targetText(t, subject), v.text, v.met === null ? 'not judged' : v.met ? '**met**' : '**NOT met**',
        ...others.map((r) => (w.runtime === 'bun' ? '' : judge(t, byRuntime[r], subject).text))]);
    }
  }
  out.push('', '### Verdicts', '', `Judged on ${runtimeLabel(primary ?? 'node24')} (Bun's on Bun); medians over rounds.`, '',
    markdownTable(['workload', 'target', `measured (${runtimeLabel(primary ?? 'node24')})`, 'verdict', ...others.map(runtimeLabel)], verdicts, ['l', 'l', 'l', 'l', ...others.map(() => 'l')]));
  const disturbed = samples.filter((s) => s.disturbed);
  if (disturbed.length) {
    out.push('', `Note: ${disturbed.length} of ${samples.length} samples were disturbed (other processes used more than ${(Number(options['max-foreign']) * 100).toFixed(0)}% of core 0 or 1 after ${options.retries} retries): ` +
      disturbed.map((s) => `${s.workload}/${s.app}/${s.runtime}/round ${s.round + 1}`).join(', '));
  }
  for (const [name, why] of Object.entries(failed)) out.push('', `**${name} failed**: ${why}`);
  for (const s of skipped) out.push('', `_${s.name} not measured: ${s.why}_`);
  return out.join('\n');
}
