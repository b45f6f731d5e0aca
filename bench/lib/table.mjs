// Statistics and Markdown tables.

export function median(xs) {
  const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const fmt = {
  int: (x) => (x === null || x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US')),
  ms: (x) => (x === null || x === undefined ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1)),
  mb: (kb) => (kb === null || kb === undefined ? 'n/a' : (kb / 1024).toFixed(1)),
  ratio: (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)}x`),
};

export function ratio(a, b) {
  return a === null || b === null || b === 0 ? null : a / b;
}

export function markdownTable(headers, rows, align) {
  const al = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = al.map((a) => (a === 'l' ? ':---' : '---:'));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(sep), ...rows.map(line)].join('\n');
}
