// A callgrind dump's cost by function, self only, with V8's compiled JavaScript named: callgrind
// knows only the native symbols and calls JIT code by its address, so the addresses are looked
// up in the map node writes with --perf-basic-prof (/tmp/perf-<pid>.map, a line
// `start size name` per piece of code, in hex). Used by http-callgrind.mjs --functions.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// The map's ranges, sorted by start; a later line for the same start (code space reused after a
// collection) replaces the earlier one, as the code there is the later one's.
function readPerfMap(file) {
  const byStart = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m !== null) byStart.set(parseInt(m[1], 16), { size: parseInt(m[2], 16), name: m[3] });
  }
  return [...byStart].sort((a, b) => a[0] - b[0]).map(([start, { size, name }]) => ({ start, end: start + size, name }));
}

function lookup(ranges, address) {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const r = ranges[hi];
  return r !== undefined && address < r.end ? r.name : undefined;
}

/** [name, instructions] of the dump's functions, most first, JIT code named from `perfMap`. */
export function costByFunction(dump, perfMap) {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dump], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ranges = existsSync(perfMap) ? readPerfMap(perfMap) : [];
  const totals = new Map();
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+) \([ \d.]+%\)\s+(?:[^:]*):(.*?)(?: \[(.*)\])?$/.exec(line);
    if (m === null || m[2] === 'PROGRAM TOTALS') continue;
    const cost = Number(m[1].replaceAll(',', ''));
    let name = m[2];
    if (/^0x[0-9a-f]+$/.test(name)) name = lookup(ranges, parseInt(name, 16)) ?? 'JIT code not in the map';
    // Native names without their long argument lists, so that overloads read as one.
    else name = withoutArguments(name);
    totals.set(name, (totals.get(name) ?? 0) + cost);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

// `ns::f<T>(int, char const*) const` -> `ns::f<T>`: the argument list is the last balanced
// parenthesis (a name may hold others, as `(anonymous namespace)`).
function withoutArguments(name) {
  const end = name.lastIndexOf(')');
  if (end === -1) return name;
  let depth = 0;
  for (let i = end; i >= 0; i--) {
    if (name[i] === ')') depth++;
    else if (name[i] === '(' && --depth === 0) return name.slice(0, i);
  }
  return name;
}
