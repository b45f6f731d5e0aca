// The seed article's scenario, one sample: the server holds `inflight` /slow_task/ requests
// parked in their SLOW_TASK_SECONDS wait (each re-issued as it completes) while a probe sends
// /fast_task/ at a fixed rate; the probe's latency percentiles and the server's RSS while the
// requests are in flight. bench/inflight.mjs and bench/targets.mjs take their samples with it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { cpuBusyTicks, foreignLoad, processCpuTicks, processTree, readListenOverflows } from './procfs.mjs';
import { waitForQuiet } from './quiet.mjs';
import { spawnPinned, stopChild, tail } from './children.mjs';
import { checkResponse, startServer } from './start-server.mjs';
import { fmt } from './table.mjs';

const LIB = dirname(fileURLToPath(import.meta.url));
const LOAD_CPU = 1;
const READY_TIMEOUT_S = 30;

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

export async function measureInflight(fw, { inflight = 5000, rampSeconds = 1, durationS = 10, rate = 200, pool = 10, slowSeconds = 5, node, quietWaitS = 30 } = {}) {
  const quietBusy = await waitForQuiet({ maxWaitS: quietWaitS });
  const server = await startServer(fw, { slowSeconds, node });
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

/** measureInflight, taken again (up to `retries` times) while other processes disturbed it. */
export async function measureInflightKept(fw, options, { maxForeign = 0.05, retries = 2, label = '', log = console.error } = {}) {
  let kept;
  for (let attempt = 0; ; attempt++) {
    const s = await measureInflight(fw, options);
    const noisy = s.foreignCpu0 > maxForeign || s.foreignCpu1 > maxForeign;
    log(
      `${label}${fw.name.padEnd(9)} /fast_task/ p50 ${fmt.ms(s.p50)} ms  p99 ${fmt.ms(s.p99)} ms  max ${fmt.ms(s.max)} ms  ` +
      `RSS ${fmt.mb(s.rssKb)} MB  in flight ${s.inFlightAtEnd}  slow p99 ${fmt.ms(s.slowP99)} ms  ` +
      `errors probe=${s.probeErrors} slow=${s.slowErrors + s.slowNon200}` +
      (s.listenOverflows ? `  listen-backlog overflows during ramp: ${s.listenOverflows}` : '') +
      (noisy ? `  DISTURBED: other processes used ${pct(s.foreignCpu0)} of core 0, ${pct(s.foreignCpu1)} of core 1` : ''),
    );
    const interference = Math.max(s.foreignCpu0 ?? 0, s.foreignCpu1 ?? 0);
    if (!kept || interference < kept.interference) kept = { ...s, interference, disturbed: noisy };
    if (!noisy || attempt >= retries) return { ...kept, attempts: attempt + 1 };
  }
}
