#!/usr/bin/env node
// Where one app's CPU time goes on one workload of lib/workloads.mjs: the app runs as targets.mjs
// runs it (built spry, Node 24; Bun for the bun-* workloads) with --cpu-prof, wrk loads it for
// --duration seconds after a warm-up, and the profile's busy samples of the measured stretch
// are printed by function and by file (lib/cpu-profile.mjs). The .cpuprofile is kept in
// results/ (open it in Chrome DevTools for the call tree).
//
//   node profile.mjs --workload slow                 # spry, the first app of the workload
//   node profile.mjs --workload slow --app fastify --duration 10 --top 40
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderProfile, summarizeProfile } from './lib/cpu-profile.mjs';
import { nodeBinary } from './lib/hosts.mjs';
import { ensureBuilt } from './lib/spry-build.mjs';
import { REPO_DIR } from './lib/spry-snapshot.mjs';
import { HOST, checkResponse, startServer } from './lib/start-server.mjs';
import { runWrk } from './lib/wrk.mjs';
import { WORKLOADS, requestOf } from './lib/workloads.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    workload: { type: 'string', default: 'slow' },
    app: { type: 'string' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '30' },
    // The sampling interval in µs (the runtime's default: 1000); 100 gives ten times the samples.
    interval: { type: 'string' },
  },
});
const w = WORKLOADS[opt.workload];
if (w === undefined || w.kind === 'inflight') throw new Error(`--workload must be one of ${Object.keys(WORKLOADS).filter((k) => WORKLOADS[k].kind !== 'inflight').join(', ')}`);
const app = opt.app === undefined ? w.apps[0] : w.apps.find((a) => a.name === opt.app);
if (app === undefined) throw new Error(`--app must be one of ${w.apps.map((a) => a.name).join(', ')}`);
if (app.argv({ port: 0 })[0].includes('python')) throw new Error('a Python app has no V8 profile');
ensureBuilt(REPO_DIR);

const dir = join(BENCH, 'results', `profile-${opt.workload}-${app.name.replace(/\W+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(dir, { recursive: true });
// The profiler's flags go right after the runtime's binary; a server without signal handlers
// of its own is made to exit on SIGTERM, so that the profile is written.
const profiled = {
  ...app,
  name: app.name,
  argv: (args) => {
    const [bin, ...rest] = app.argv(args);
    // Bun preloads with --preload (spry's runWith has its own handlers; the preload's once()
    // runs first and exits as cleanly).
    const exit = [w.runtime === 'bun' ? '--preload' : '--import', join(BENCH, 'lib', 'exit-on-signal.mjs')];
    const interval = opt.interval === undefined ? [] : [`--cpu-prof-interval=${opt.interval}`];
    return [bin, '--cpu-prof', `--cpu-prof-dir=${dir}`, ...interval, ...exit, ...rest];
  },
};
const request = requestOf(w, app);
const spawned = Date.now();
const server = await startServer(profiled, { slowSeconds: request.slowSeconds ?? 0, node: w.runtime === 'bun' ? undefined : nodeBinary(24) ?? process.execPath });
let r;
let skipMs;
try {
  await checkResponse(server, request.path, request.expected, request.check);
  const load = { url: `http://${HOST}:${server.port}${request.path}`, connections: Number(opt.connections), script: request.script, headers: request.headers };
  await runWrk({ ...load, durationS: Number(opt.warmup) });
  skipMs = Date.now() - spawned;
  r = await runWrk({ ...load, durationS: Number(opt.duration) });
} finally {
  await server.stop();
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`${app.name} wrote no profile into ${dir}`);
console.log(`${opt.workload} / ${app.name}: ${Math.round(r.rps)} req/s under the profiler (${opt.duration} s, ${opt.connections} connections); profile ${join(dir, file)}\n`);
console.log(renderProfile(summarizeProfile(join(dir, file), { skipMs }), Number(opt.top)));
