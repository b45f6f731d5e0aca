// spry under Bun.serve({ ...app.bun }) against Elysia on Bun (and, with --before, against a committed
// spry), paired burst by burst as realtime-ab.mjs pairs its servers: every server runs at once on
// core 0, and short bursts of wrk (core 1) go to each in turn, in an order that rotates from one
// round to the next, so that a neighbour's burst of work on a shared machine lands on all of them.
// Each burst's cost is the server's CPU time (every thread, /proc/<pid>/task/*/schedstat, in ns)
// per request; the report is each server's median and the median of the per-round ratios, the
// figures to read when the machine is not quiet.
//
//   node bun-ab.mjs [--workload fast|slow] [--before REF] [--fetch] [--rounds 12] [--seconds 1] [--connections 50]
//
// spry is served as docs/runtimes.md shows (`...app.bun`); --fetch adds the same tree served
// through app.fetch alone (`spry app.fetch`), the road of every other Fetch host.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { threadsCpuNs } from './lib/procfs.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { bunBinary } from './lib/hosts.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR, snapshotSpry } from './lib/spry-snapshot.mjs';
import { freePort, httpGet } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { parseWrk } from './lib/wrk.mjs';
import { SEED_FAST, SEED_SLOW } from './lib/workloads.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    workload: { type: 'string', default: 'fast' },
    before: { type: 'string' },
    fetch: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
  },
});
const request = { fast: SEED_FAST, slow: SEED_SLOW }[opt.workload];
if (request === undefined) throw new Error('--workload is fast or slow');
const BUN = bunBinary();
if (BUN === null) throw new Error('Bun not found: set SPRY_BUN (bash .ci/run installs it from the npm registry)');
const seedOf = (root) => builtApp(root, join(root, 'examples', 'seed', 'main.ts'));
ensureBuilt(REPO_DIR);
const before = opt.before === undefined ? undefined : snapshotSpry(opt.before);
if (before !== undefined) ensureBuilt(before.dir);


async function start(name, file, env = {}) {
  const port = await freePort();
  const child = spawnPinned([BUN, join(BENCH, 'apps', file)], { cpu: 0, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', SLOW_TASK_SECONDS: String(request.slowSeconds), ...env } });
  const err = tail(child.stderr);
  for (let i = 0; i < 150; i++) {
    try {
      const res = await httpGet(port, request.path);
      if (res.status !== 200 || JSON.stringify(JSON.parse(res.body)) !== JSON.stringify(request.expected)) throw new Error(`${name} answered ${res.status} ${res.body}`);
      return { name, child, port };
    } catch (error) {
      if (String(error).includes('answered')) throw error;
      if (child.exitCode !== null) throw new Error(`${name} exited: ${err()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not start: ${err()}`);
}

function wrk(port, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawnPinned(['wrk', '-t1', `-c${opt.connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}${request.path}`], { cpu: 1 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    const err = tail(child.stderr);
    child.once('exit', (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk failed: ${err()}`))));
    child.once('error', reject);
  });
}

async function burst(server, seconds) {
  const startNs = threadsCpuNs(server.child.pid);
  const r = await wrk(server.port, seconds);
  return (threadsCpuNs(server.child.pid) - startNs) / 1000 / r.requests;
}

const servers = [await start('spry', 'bun-spry.mjs', { SPRY_APP: seedOf(REPO_DIR) }), await start('elysia', 'bun-elysia.mjs')];
if (opt.fetch) servers.push(await start('spry app.fetch', 'bun-spry.mjs', { SPRY_APP: seedOf(REPO_DIR), SPRY_BUN_FETCH: '1' }));
if (before !== undefined) servers.push(await start(`spry ${opt.before}`, 'bun-spry.mjs', { SPRY_APP: seedOf(before.dir) }));
const rounds = positiveInt(opt, 'rounds');
const seconds = positiveInt(opt, 'seconds');
const costs = Object.fromEntries(servers.map((s) => [s.name, []]));
try {
  for (const server of servers) await burst(server, 2); // warm-up
  for (let i = 0; i < rounds; i++) {
    const order = servers.map((_, k) => servers[(i + k) % servers.length]);
    for (const server of i % 2 === 0 ? order : order.reverse()) costs[server.name].push(await burst(server, seconds));
    console.error(`round ${i + 1}/${rounds}: ${servers.map((s) => `${s.name} ${costs[s.name].at(-1).toFixed(1)} µs`).join(', ')}`);
  }
} finally {
  for (const server of servers) await stopChild(server.child);
}
const spry = costs.spry;
console.log(`${request.path} on Bun: server CPU µs per request, ${rounds} rounds of ${seconds} s bursts (${opt.connections} connections); spry = the live tree`);
for (const server of servers) {
  const ratios = costs[server.name].map((c, i) => c / spry[i]);
  const vs = server.name === 'spry' ? '' : `, ${server.name} / spry CPU: median of rounds ${median(ratios).toFixed(3)}x (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`;
  console.log(`  ${server.name}: ${median(costs[server.name]).toFixed(1)} µs${vs}`);
}
