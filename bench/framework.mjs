// The framework workloads of issues 3 and 4, beside run.mjs's seed workloads, with the same
// method: server on core 0, wrk on core 1, rounds interleaved in a rotating order, medians.
//   model: POST /items/ with a ten-field JSON body, validated and echoed through a response
//          model: spry vs Fastify (Ajv + fast-json-stringify) vs FastAPI (pydantic).
//          Targets: spry >= 1.2x Fastify and >= 3x FastAPI.
//   deps:  spry's GET /deps (three nested dependencies, one with teardown) vs GET /inline (the
//          same work inlined), on the same app. Target: /deps costs at most 10% (>= 0.9x).
//   tasks: spry's GET /task (adds one trivial in-process background task) vs GET /plain, on the
//          same app. Target (issue 6): /task costs at most 2% (>= 0.98x).
//
//   node framework.mjs [--rounds 3] [--duration 10] [--connections 100] [--workload model|deps|tasks|all] [--skip-fastapi]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllNow } from './lib/children.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { checkResponse, startServer } from './lib/start-server.mjs';
import { runWrk } from './lib/wrk.mjs';
import { cpuMicrosPerRequest, processCpuTicks } from './lib/procfs.mjs';
import { median } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    workload: { type: 'string', default: 'all' },
    'skip-fastapi': { type: 'boolean', default: false },
  },
});
const rounds = Number(opt.rounds);
const durationS = Number(opt.duration);
const connections = Number(opt.connections);
const spryApp = (file) => () => [process.execPath, join(REPO, 'bin', 'spry.mjs'), 'run', join(BENCH, 'apps', file)];
const ITEM = JSON.parse(readFileSync(join(BENCH, 'apps', 'model-item.json'), 'utf8'));

const WORKLOADS = {
  model: {
    title: 'model: POST /items/ (ten-field JSON model in, response model out)',
    path: '/items/',
    script: join(BENCH, 'apps', 'post-model.lua'),
    apps: [
      { name: 'spry', argv: spryApp('spry-model.ts') },
      { name: 'fastify', argv: () => [process.execPath, join(BENCH, 'apps', 'fastify-model.mjs')] },
      {
        name: 'fastapi',
        argv: ({ port }) => ['/usr/bin/python3', '-m', 'uvicorn', '--app-dir', join(BENCH, 'apps'), 'fastapi_model:app',
          '--host', '127.0.0.1', '--port', String(port), '--loop', 'uvloop', '--http', 'httptools', '--log-level', 'warning', '--no-access-log'],
      },
    ],
    targets: [['fastify', 1.2], ['fastapi', 3]],
  },
  deps: {
    title: 'deps: three nested dependencies (one with teardown) vs the same work inlined',
    apps: [
      { name: 'spry /deps', argv: spryApp('spry-deps.ts'), path: '/deps', expect: { name: 'user-1', open: true } },
      { name: 'spry /inline', argv: spryApp('spry-deps.ts'), path: '/inline', expect: { name: 'user-1', open: true } },
    ],
    targets: [['spry /inline', 0.9]],
  },
  tasks: {
    title: 'tasks: the same route with one in-process background task added (a trivial one) and without',
    apps: [
      { name: 'spry /task', argv: spryApp('spry-tasks.ts'), path: '/task', expect: { ok: true } },
      { name: 'spry /plain', argv: spryApp('spry-tasks.ts'), path: '/plain', expect: { ok: true } },
    ],
    targets: [['spry /plain', 0.98]],
  },
};

const chosen = opt.workload === 'all' ? Object.keys(WORKLOADS) : [opt.workload];
for (const name of chosen) {
  const w = WORKLOADS[name];
  if (w === undefined) throw new Error(`unknown workload ${name}`);
  if (opt['skip-fastapi']) w.apps = w.apps.filter((a) => a.name !== 'fastapi');
}
process.on('SIGINT', () => (killAllNow(), process.exit(130)));
console.error(`node framework.mjs ${process.argv.slice(2).join(' ')}`);

const samples = {};
for (let round = 0; round < rounds; round++) {
  for (const name of chosen) {
    const w = WORKLOADS[name];
    const order = w.apps.map((_, i) => w.apps[(i + round) % w.apps.length]);
    for (const app of order) {
      await waitForQuiet({ maxWaitS: 30 });
      const server = await startServer(app, { slowSeconds: 0 });
      try {
        const path = app.path ?? w.path;
        if (app.expect) await checkResponse(server, path, app.expect);
        else await checkPost(server.port, w.path);
        const url = `http://127.0.0.1:${server.port}${path}`;
        await runWrk({ url, durationS: 2, connections, script: w.script });
        const cpuBefore = processCpuTicks(server.serverPid);
        const r = await runWrk({ url, durationS, connections, script: w.script });
        const cpuUs = cpuMicrosPerRequest(cpuBefore, processCpuTicks(server.serverPid), r.requests);
        const rssMb = (server.rssKb() ?? 0) / 1024;
        (samples[`${name}/${app.name}`] ??= []).push({ ...r, rssMb, cpuUs });
        console.error(`round ${round + 1}/${rounds} ${name} ${app.name.padEnd(13)} ${Math.round(r.rps).toLocaleString('en')} req/s  p99 ${r.p99} ms  RSS ${rssMb.toFixed(1)} MB  CPU ${cpuUs?.toFixed(1)} µs/req  non-2xx ${r.non2xx}`);
      } finally {
        await server.stop();
      }
    }
  }
}

console.log(`Command: \`cd bench && node framework.mjs ${process.argv.slice(2).join(' ')}\`\n(${rounds} rounds × ${durationS} s, ${connections} connections, wrk -t1 on core 1, server on core 0; medians over rounds)\n`);
for (const name of chosen) {
  const w = WORKLOADS[name];
  const rps = Object.fromEntries(w.apps.map((a) => [a.name, median(samples[`${name}/${a.name}`].map((s) => s.rps))]));
  const first = w.apps[0].name;
  console.log(`### ${w.title}\n\n| app | req/s (median) | p99 ms | RSS MB | CPU µs/req | non-2xx | ${first} / app | app / ${first} CPU |\n| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  const cpu = (n) => median(samples[`${name}/${n}`].map((x) => x.cpuUs));
  for (const a of w.apps) {
    const s = samples[`${name}/${a.name}`];
    const ratio = a.name === first ? '' : `${(rps[first] / rps[a.name]).toFixed(2)}x`;
    const cpuRatio = a.name === first || cpu(a.name) === null || cpu(first) === null ? '' : `${(cpu(a.name) / cpu(first)).toFixed(2)}x`;
    console.log(`| ${a.name} | ${Math.round(rps[a.name]).toLocaleString('en')} | ${median(s.map((x) => x.p99))} | ${median(s.map((x) => x.rssMb)).toFixed(1)} | ${cpu(a.name)?.toFixed(1) ?? 'n/a'} | ${s.reduce((t, x) => t + x.non2xx, 0)} | ${ratio} | ${cpuRatio} |`);
  }
  for (const [other, want] of w.targets) {
    if (rps[other] === undefined) continue;
    const got = rps[first] / rps[other];
    console.log(`\n- target ${first} >= ${want}x ${other}: ${got.toFixed(2)}x, ${got >= want ? 'met' : 'NOT met'}`);
  }
  console.log('');
}

async function checkPost(port, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ITEM) });
  const body = await res.json();
  if (res.status !== 200 || JSON.stringify(body) !== JSON.stringify(ITEM)) throw new Error(`POST ${path} answered ${res.status} ${JSON.stringify(body)}`);
}
