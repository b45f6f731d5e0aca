// Reading a V8 CPU profile (.cpuprofile, from --cpu-prof on Node or Bun): where the samples
// fell after `skipMs` (start-up and warm-up), idle excluded, by function and by file, each as a
// share of the busy samples; `inclusive` also counts the samples under each function.
import { readFileSync } from 'node:fs';

const short = (url) => (url || '').replace(/^.*\/(node_modules|dist|src)\//, '$1/').replace(/^file:\/\/.*\/(\.spry-tmp\/bench-apps\/)/, '$1');

export function summarizeProfile(file, { skipMs = 0 } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const counts = new Map();
  let t = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t < skipMs * 1000 || byId.get(id)?.callFrame.functionName === '(idle)') return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    busy++;
  });
  const self = new Map();
  const files = new Map();
  const inclusive = new Map();
  for (const [id, c] of counts) {
    const n = byId.get(id);
    const key = label(n);
    self.set(key, (self.get(key) ?? 0) + c);
    const f = short(n.callFrame.url) || n.callFrame.functionName;
    files.set(f, (files.get(f) ?? 0) + c);
    const seen = new Set();
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const k = label(byId.get(p));
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + c);
    }
  }
  const ranked = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([name, c]) => ({ name, share: busy ? c / busy : 0 }));
  return { busy, self: ranked(self), files: ranked(files), inclusive: ranked(inclusive).filter((r) => r.name !== '(root) ') };
}

// Where a file's time counts: the write system call (the same call for the same response in
// every app, so the yardstick between two of them), Node's own modules, spry's build, each
// package, the app, the collector and V8's own work.
function origin(file) {
  if (file === 'writeUtf8String' || file === 'writev' || file === 'writeBuffer') return 'the write system call';
  if (file.startsWith('node:') || file.startsWith('internal:')) return 'runtime (node:*)';
  if (file.startsWith('dist/')) return 'spry (dist/)';
  if (file.startsWith('node_modules/')) {
    const parts = file.split('/');
    return `package ${parts[1].startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]}`;
  }
  if (file.includes('bench-apps/') || file.includes('/bench/apps/')) return 'the app';
  if (file === '(garbage collector)' || file === '(program)') return file;
  return 'other native (JSON, regexps, Response, ...)';
}

/** The self time by origin, each also as a multiple of the write system call's. */
export function byOrigin(summary) {
  const shares = new Map();
  for (const r of summary.files) shares.set(origin(r.name), (shares.get(origin(r.name)) ?? 0) + r.share);
  const write = shares.get('the write system call');
  return [...shares].sort((a, b) => b[1] - a[1]).map(([name, share]) => ({ name, share, perWrite: write ? share / write : null }));
}

export function renderProfile(summary, top = 30) {
  const lines = (title, rows) => [`${title}:`, ...rows.slice(0, top).map((r) => `${(r.share * 100).toFixed(1).padStart(6)}%  ${r.name}`)];
  const origins = byOrigin(summary).filter((r) => r.share >= 0.005);
  return [`${summary.busy} busy samples`, '', 'self time by origin (and per write system call):',
    ...origins.map((r) => `${(r.share * 100).toFixed(1).padStart(6)}%  ${r.perWrite === null ? '' : `${r.perWrite.toFixed(2)}x`.padStart(6)}  ${r.name}`), '',
    ...lines('self time by file', summary.files), '', ...lines('self time by function', summary.self), '',
    ...lines('inclusive time by function', summary.inclusive)].join('\n');
}
