// The workloads of issue 15's targets, each with the apps it compares and the targets it
// judges; bench/targets.mjs runs them all, bench/framework.mjs the framework ones (model, deps,
// tasks). The first app of a workload is the one judged; the others are its anchors.
//
// A request: `path`, `slowSeconds` (SLOW_TASK_SECONDS), `expected` (the JSON body its check
// must answer with status 200), `check` (method, headers, body of the check when not a plain
// GET), `script` (a wrk Lua script), `headers` (wrk's headers). An app may override any of them.
// A target: `{ anchor, min }` (the app's CPU per request at least `min` times as efficient as
// the anchor's, i.e. anchor µs / app µs >= min), `{ anchor, maxOverhead }` (app µs / anchor µs
// <= 1 + maxOverhead) or, for `inflight`, `{ anchor, metric: 'p99' | 'rss', max }`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAMEWORKS, builtSpryApp, nodeApp, spryRun, uvicorn } from './frameworks.mjs';
import { bunBinary } from './hosts.mjs';

const APPS = join(dirname(dirname(fileURLToPath(import.meta.url))), 'apps');
const framework = (name) => FRAMEWORKS.find((f) => f.name === name);
const ITEM = JSON.parse(readFileSync(join(APPS, 'model-item.json'), 'utf8'));

export const SEED_FAST = { path: '/fast_task/', slowSeconds: 5, expected: { message: 'This is fast!' } };
// 0 = every app skips its sleep entirely, so this measures routing + validation + JSON.
export const SEED_SLOW = { path: '/slow_task/42?q=test', slowSeconds: 0, expected: { item_id: 42, q: 'test' } };
const MODEL = {
  path: '/items/',
  expected: ITEM,
  check: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ITEM) },
  script: join(APPS, 'post-model.lua'),
};
const INPUT_HEADERS = { 'x-token': 'secret-token', cookie: 'session=abc123', 'user-agent': 'wrk' };
const INPUTS = {
  path: '/items/7',
  expected: { item_id: 7, session: 'abc123', user_agent: 'wrk', user: 'ada' },
  check: { headers: INPUT_HEADERS },
  headers: Object.entries(INPUT_HEADERS).map(([k, v]) => `${k}: ${v}`),
};

const spryApp = (name, file, extra = {}) => ({ name, argv: spryRun(join(APPS, file)), ...extra });
// `env` is a function: read when the app starts (spry's root may be a snapshot by then).
const bunApp = (name, file, env = () => ({})) => ({
  name,
  runtime: 'bun',
  argv: () => [bunBinary(), join(APPS, file)],
  get env() { return env(); },
  available: () => bunBinary() !== null,
  missing: 'Bun not found: set SPRY_BUN (bash .ci/run installs it from the npm registry)',
});
const bunApps = () => [
  // The seed app compiled to JavaScript, served by Bun.serve through app.fetch.
  bunApp('spry', 'bun-spry.mjs', () => ({ SPRY_APP: builtSpryApp() })),
  bunApp('elysia', 'bun-elysia.mjs'),
  bunApp('hono', 'bun-hono.mjs'),
];

export const WORKLOADS = {
  fast: {
    title: 'fast: GET /fast_task/',
    request: SEED_FAST,
    apps: [framework('spry'), framework('raw-node')],
    targets: [{ anchor: 'raw-node', min: 1.0 }],
  },
  slow: {
    title: 'slow: GET /slow_task/42?q=test (SLOW_TASK_SECONDS=0; declared, converted, validated, the handler takes the signal)',
    request: SEED_SLOW,
    apps: [framework('spry'), framework('fastify'), framework('fastapi')],
    targets: [{ anchor: 'fastify', min: 1.1 }, { anchor: 'fastapi', min: 2.5 }],
  },
  model: {
    title: 'model: POST /items/ (ten-field JSON model in, response model out)',
    request: MODEL,
    apps: [
      spryApp('spry', 'spry-model.ts'),
      { name: 'fastify', argv: nodeApp('fastify-model.mjs') },
      { name: 'fastapi', argv: uvicorn(APPS, 'fastapi_model:app'), available: framework('fastapi').available, missing: framework('fastapi').missing },
    ],
    targets: [{ anchor: 'fastify', min: 1.2 }, { anchor: 'fastapi', min: 3 }],
  },
  inputs: {
    title: 'inputs: GET /items/7 with a dependency (X-Token), a cookie and a header (Fastify: a preHandler and JSON schemas)',
    request: INPUTS,
    apps: [spryApp('spry', 'spry-inputs.ts'), { name: 'fastify', argv: nodeApp('fastify-inputs.mjs') }],
    targets: [{ anchor: 'fastify', min: 1.1 }],
  },
  deps: {
    title: 'deps: three nested dependencies (one with teardown) vs the same work inlined',
    request: { path: '/deps', expected: { name: 'user-1', open: true } },
    apps: [spryApp('spry /deps', 'spry-deps.ts'), spryApp('spry /inline', 'spry-deps.ts', { request: { path: '/inline' } })],
    targets: [{ anchor: 'spry /inline', maxOverhead: 0.1 }],
  },
  signal: {
    title: 'signal: /slow_task/42?q=test whose handler takes the cancellation signal vs the same route without',
    request: SEED_SLOW,
    // Both from apps/spry-variant.ts, so that the signal is the only difference.
    apps: [spryApp('spry signal', 'spry-variant.ts'), { ...framework('spry-nosignal'), name: 'spry no signal' }],
    targets: [{ anchor: 'spry no signal', maxOverhead: 0.02 }],
  },
  tasks: {
    title: 'tasks: the same route with one in-process background task added (a trivial one) and without',
    request: { path: '/task', expected: { ok: true } },
    apps: [spryApp('spry /task', 'spry-tasks.ts'), spryApp('spry /plain', 'spry-tasks.ts', { request: { path: '/plain' } })],
    targets: [{ anchor: 'spry /plain', maxOverhead: 0.02 }],
  },
  inflight: {
    title: 'inflight: 5,000 /slow_task/ requests in flight (5 s each), /fast_task/ probed at 200 req/s',
    kind: 'inflight',
    apps: [framework('spry'), framework('raw-node')],
    targets: [{ anchor: 'raw-node', metric: 'p99', max: 1.0 }, { anchor: 'raw-node', metric: 'rss', max: 1.1 }],
  },
  'bun-fast': {
    title: 'Bun, fast: GET /fast_task/ (spry: Bun.serve({ ...app.bun }))',
    runtime: 'bun',
    request: SEED_FAST,
    apps: bunApps(),
    targets: [{ anchor: 'elysia', min: 1.0 }],
  },
  'bun-slow': {
    title: 'Bun, slow: GET /slow_task/42?q=test (SLOW_TASK_SECONDS=0; each with its own schema validation)',
    runtime: 'bun',
    request: SEED_SLOW,
    apps: bunApps(),
    targets: [{ anchor: 'elysia', min: 1.0 }],
  },
};

// What bench/targets.mjs runs by default: every target of issue 15 (deps is issue 4's).
export const TARGET_WORKLOADS = ['fast', 'slow', 'model', 'inputs', 'signal', 'tasks', 'inflight', 'bun-fast', 'bun-slow'];

/** The request an app of a workload is measured with. */
export const requestOf = (workload, app) => ({ ...workload.request, ...app.request });
