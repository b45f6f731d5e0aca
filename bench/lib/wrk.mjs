// Run wrk on core 1 and parse its --latency report.
import { spawnPinned, stopChild, tail } from './children.mjs';
import { cpuBusyTicks } from './procfs.mjs';

const LOAD_CPU = 1; // the server has core 0

// wrk prints "1.23ms", "456.00us", "1.02s", "2.00m".
export function parseDurationMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return null;
  const v = Number(m[1]);
  return { us: v / 1000, ms: v, s: v * 1000, m: v * 60_000 }[m[2]];
}

export function parseWrk(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const pct = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(text);
    return m ? parseDurationMs(m[1]) : null;
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p50: pct(50),
    p75: pct(75),
    p90: pct(90),
    p99: pct(99),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

// One thread: the load generator has exactly one core, more threads would only
// fight over it. --timeout well above any expected latency so slow replies are
// measured, not dropped.
//
// wrk runs under a bash that is *not* exec'd away: once wrk has exited, that
// bash's cutime+cstime (fields 16-17 of /proc/$$/stat) is wrk's CPU time, which
// tells how much of core 1 something other than wrk used during the run.
const SCRIPT = 'taskset -c 1 wrk "$@"; rc=$?; echo "__WRK_TICKS__ $(cut -d" " -f16,17 /proc/$$/stat)"; exit $rc';

// `nice` lowers wrk's priority where it shares a core with the server (bench/threads.mjs).
// `headers`: request headers as "Name: value" lines; `script`: a wrk Lua script (a POST's body).
export async function runWrk({ url, durationS, connections, script, headers = [], nice = 0 }) {
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--timeout', '10s', '--latency', ...(script ? ['-s', script] : []),
    ...headers.flatMap((h) => ['-H', h]), url];
  const before = cpuBusyTicks()[LOAD_CPU];
  const child = spawnPinned(['bash', '-c', SCRIPT, 'wrk', ...args], { cpu: LOAD_CPU, nice });
  const out = tail(child.stdout, 20_000);
  const err = tail(child.stderr);
  // Bounded: wrk stops itself after -d; this is only a guard against a hang.
  const guard = setTimeout(() => stopChild(child, 1000), (durationS + 15) * 1000);
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? sig)));
  clearTimeout(guard);
  const after = cpuBusyTicks()[LOAD_CPU];
  if (code !== 0) throw new Error(`wrk exited with ${code}\n${out()}\n${err()}`);
  const result = parseWrk(out());
  if (result.rps === null) throw new Error(`could not parse wrk output:\n${out()}`);
  const m = /__WRK_TICKS__ (\d+) (\d+)/.exec(out());
  const total = after.busy + after.idle - (before.busy + before.idle);
  const foreignCpu1 = m && total > 0 ? Math.max(0, (after.busy - before.busy - Number(m[1]) - Number(m[2])) / total) : null;
  return { ...result, foreignCpu1, raw: out() };
}
