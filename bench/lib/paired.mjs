// Two variants of one app measured against each other burst by burst, for the targets that are
// a few percent of overhead (targets.mjs's `signal` and `tasks`): one at a time, a server's CPU
// per request moves by about 20% between runs minutes apart on this machine (bench/README.md),
// ten times the 2% to judge. Here both variants are up at once on core 0 and short wrk bursts
// from core 1 alternate between them (A B B A ...), so that whatever slows the machine lands on
// both; the figure is the median of the per-pair ratios. Two requests of the same app (the same
// command and environment, as `/task` and `/plain` are) are served by one process, so that not
// even its JIT differs between them.
import { HOST, checkResponse, startServer } from './start-server.mjs';
import { threadsCpuNs } from './procfs.mjs';
import { median } from './table.mjs';
import { runWrk } from './wrk.mjs';

const sameServer = (a, b, node) =>
  JSON.stringify(a.argv({ port: 0, node })) === JSON.stringify(b.argv({ port: 0, node })) && JSON.stringify(a.env ?? {}) === JSON.stringify(b.env ?? {});

/**
 * `subject` and `anchor`: `{ app, request }` as targets.mjs has them (lib/workloads.mjs). Returns
 * each side's median CPU µs per request (every thread of the server, from schedstat), the
 * median of subject / anchor over the pairs with its range, and the bursts' request counts.
 */
export async function measurePaired(subject, anchor, { node, bursts = 16, seconds = 1, warmupS = 2, connections = 100, log = console.error, label = '' }) {
  const shared = sameServer(subject.app, anchor.app, node);
  const servers = [];
  try {
    const first = await startServer(subject.app, { slowSeconds: subject.request.slowSeconds ?? 0, node });
    servers.push(first);
    const second = shared ? first : await startServer(anchor.app, { slowSeconds: anchor.request.slowSeconds ?? 0, node });
    if (!shared) servers.push(second);
    const sides = [
      { name: subject.app.name, server: first, request: subject.request, costs: [] },
      { name: anchor.app.name, server: second, request: anchor.request, costs: [] },
    ];
    for (const side of sides) {
      await checkResponse(side.server, side.request.path, side.request.expected, side.request.check);
      await burst(side, warmupS, connections);
    }
    for (let i = 0; i < bursts; i++) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) side.costs.push(await burst(side, seconds, connections));
      log(`${label}pair ${i + 1}/${bursts}: ${sides.map((s) => `${s.name} ${s.costs.at(-1).toFixed(1)} µs`).join(', ')}`);
    }
    const ratios = sides[0].costs.map((c, i) => c / sides[1].costs[i]);
    return {
      subjectCpu: median(sides[0].costs),
      anchorCpu: median(sides[1].costs),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      bursts,
      seconds,
      oneProcess: shared,
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}

// One burst's server CPU per request, in µs. A process serving both sides is measured while
// only this side's requests reach it.
async function burst(side, seconds, connections) {
  const { path, script, headers } = side.request;
  const before = threadsCpuNs(side.server.serverPid);
  const r = await runWrk({ url: `http://${HOST}:${side.server.port}${path}`, durationS: seconds, connections, script, headers });
  if (r.non2xx || r.socketErrors) throw new Error(`${side.name}: ${r.non2xx} non-2xx responses and ${r.socketErrors} socket errors in a burst`);
  return (threadsCpuNs(side.server.serverPid) - before) / 1000 / r.requests;
}
