// One throughput sample of one app on one workload, as every wrk-driven script here takes it:
// wait for a quiet machine, start the app fresh on core 0, check that the benchmarked request
// answers what it should, warm up, then wrk on core 1 for the measured run, with the server
// process's CPU time per request and how much of each core other processes used. A disturbed
// sample is taken again (up to `retries` times) and the least disturbed attempt kept:
// interference only ever hurts.
import { HOST, checkResponse, startServer } from './start-server.mjs';
import { cpuMicrosPerRequest, foreignLoad, processCpuTicks, processTree } from './procfs.mjs';
import { waitForQuiet } from './quiet.mjs';
import { runWrk } from './wrk.mjs';
import { fmt } from './table.mjs';

// A workload: `path`, `slowSeconds` (SLOW_TASK_SECONDS for the app), `expected` (the JSON body
// of the check), `check` (method, headers and body of the check request, when not a plain GET),
// `script` (a wrk Lua script) and `headers` (wrk's request headers).
async function measureOnce(fw, wl, { warmupS, durationS, connections, node, quietWaitS }) {
  const quietBusy = await waitForQuiet({ maxWaitS: quietWaitS });
  const server = await startServer(fw, { slowSeconds: wl.slowSeconds ?? 0, node });
  try {
    await checkResponse(server, wl.path, wl.expected, wl.check);
    const url = `http://${HOST}:${server.port}${wl.path}`;
    const load = { url, connections, script: wl.script, headers: wl.headers };
    await runWrk({ ...load, durationS: warmupS }); // JIT, pools, caches
    const foreign = foreignLoad(0, processTree(server.pid));
    const cpuBefore = processCpuTicks(server.serverPid);
    const r = await runWrk({ ...load, durationS });
    const cpuUsPerReq = cpuMicrosPerRequest(cpuBefore, processCpuTicks(server.serverPid), r.requests);
    return {
      rps: r.rps, requests: r.requests, p50: r.p50, p90: r.p90, p99: r.p99, cpuUsPerReq,
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

/** The kept sample, with `attempts`, `interference` and `disturbed`; progress goes to `log`. */
export async function measureThroughput(fw, wl, { warmupS = 2, durationS, connections = 100, node, quietWaitS = 30, maxForeign = 0.05, retries = 2, label = '', log = console.error }) {
  let kept;
  for (let attempt = 0; ; attempt++) {
    const sample = await measureOnce(fw, wl, { warmupS, durationS, connections, node, quietWaitS });
    const noisy = sample.foreignCpu0 > maxForeign || sample.foreignCpu1 > maxForeign;
    log(
      `${label}${fw.name.padEnd(14)} ${fmt.int(sample.rps).padStart(8)} req/s  p50 ${fmt.ms(sample.p50)} ms  p99 ${fmt.ms(sample.p99)} ms  ` +
      `RSS ${fmt.mb(sample.rssKb)} MB  CPU ${sample.cpuUsPerReq === null ? 'n/a' : sample.cpuUsPerReq.toFixed(1)} µs/req` +
      (sample.non2xx || sample.socketErrors ? `  ERRORS non2xx=${sample.non2xx} socket=${sample.socketErrors}` : '') +
      (noisy ? `  DISTURBED: other processes used ${pct(sample.foreignCpu0)} of core 0 (server), ${pct(sample.foreignCpu1)} of core 1 (wrk)` : ''),
    );
    const interference = Math.max(sample.foreignCpu0 ?? 0, sample.foreignCpu1 ?? 0);
    if (!kept || interference < kept.interference) kept = { ...sample, interference, disturbed: noisy };
    if (!noisy || attempt >= retries) return { ...kept, attempts: attempt + 1 };
  }
}
