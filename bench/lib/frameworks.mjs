// The apps under test and how to start each one. Every app reads PORT, HOST
// and SLOW_TASK_SECONDS from the environment and serves the same two routes.
// `argv({ port, node })` gets the Node binary to run on (the harness's own by default).
// spry runs as installed: its build (dist/) serving the app compiled to JavaScript.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtApp } from './spry-build.mjs';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const REPO_DIR = dirname(BENCH_DIR);
const APPS_DIR = join(BENCH_DIR, 'apps');
// Where spry is run from: the live repo, or a snapshot of a commit (--spry-ref).
let spryRoot = REPO_DIR;
export function setSpryRoot(dir) {
  spryRoot = dir;
}
export const spryRootDir = () => spryRoot;
const spryBin = () => join(spryRoot, 'bin', 'spry.mjs');
const spryApp = () => join(spryRoot, 'examples', 'seed', 'main.ts');
const FASTAPI_DIR = process.env.FASTAPI_APP_DIR ?? '/work/shared/reference';
// Current FastAPI (pydantic 2) from the virtual environment /work/shared/reference/README.md
// describes, else Debian's python with python3-fastapi (0.92). FASTAPI_PYTHON overrides both.
export const PYTHON = process.env.FASTAPI_PYTHON ??
  (existsSync('/tmp/fastapi-venv/bin/python') ? '/tmp/fastapi-venv/bin/python' : '/usr/bin/python3');

export const nodeApp = (file) => ({ node = process.execPath } = {}) => [node, join(APPS_DIR, file)];
// `spry run` of a spry app from bench/apps (or the seed app), compiled to JavaScript. Without
// the access log, as every other server here runs (Fastify's logger off, Uvicorn's
// --no-access-log): a line per request is a feature to price on its own (bench/server.mjs).
export const spryRun = (file) => ({ node = process.execPath } = {}) => [node, spryBin(), 'run', builtApp(spryRoot, file ?? spryApp()), '--no-access-log'];
export const builtSpryApp = (file) => builtApp(spryRoot, file ?? spryApp());
export const uvicorn = (appDir, target) => ({ port }) => [
  PYTHON, '-m', 'uvicorn', '--app-dir', appDir, target,
  '--host', '127.0.0.1', '--port', String(port),
  '--loop', 'uvloop', '--http', 'httptools',
  '--log-level', 'warning', '--no-access-log', '--backlog', '8192',
];

export const FRAMEWORKS = [
  {
    name: 'spry',
    argv: spryRun(),
    available: () => existsSync(spryBin()) && existsSync(spryApp()),
    get missing() {
      return `${spryBin()} or ${spryApp()} does not exist yet`;
    },
  },
  {
    // Not in the default set: compared with `spry` it prices cancellation and blocking reports.
    name: 'spry-bare',
    optional: true,
    argv: spryRun(join(APPS_DIR, 'spry-variant.ts')),
    env: { SPRY_SIGNAL: '0', SPRY_BLOCKING: '0' },
    available: () => existsSync(spryBin()),
    missing: 'bin/spry.mjs',
  },
  {
    name: 'spry-nosignal',
    optional: true,
    argv: spryRun(join(APPS_DIR, 'spry-variant.ts')),
    env: { SPRY_SIGNAL: '0' },
    available: () => existsSync(spryBin()),
    missing: 'bin/spry.mjs',
  },
  { name: 'raw-node', argv: nodeApp('raw-node.mjs'), available: () => true },
  { name: 'fastify', argv: nodeApp('fastify.mjs'), available: () => true },
  { name: 'hono', argv: nodeApp('hono.mjs'), available: () => true },
  {
    name: 'fastapi',
    // One worker, uvloop + httptools: Uvicorn's fastest single-process setup.
    // --backlog 8192 so the 5,000-connection inflight ramp is not dropped at accept();
    // --limit-concurrency is left unset (unlimited) on purpose.
    argv: uvicorn(FASTAPI_DIR, 'seed_app:app'),
    available: () => existsSync(join(FASTAPI_DIR, 'seed_app.py')) && existsSync(PYTHON),
    missing: 'python3 -m venv /tmp/fastapi-venv && /tmp/fastapi-venv/bin/pip install fastapi uvicorn uvloop httptools (or FASTAPI_PYTHON)',
  },
];

export function selectFrameworks({ only, skipFastapi }) {
  let list = FRAMEWORKS.filter((f) => !f.optional);
  if (only) {
    list = FRAMEWORKS;
    const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const w of wanted) {
      if (!FRAMEWORKS.some((f) => f.name === w)) {
        throw new Error(`unknown framework "${w}"; known: ${FRAMEWORKS.map((f) => f.name).join(', ')}`);
      }
    }
    list = list.filter((f) => wanted.includes(f.name));
  }
  if (skipFastapi) list = list.filter((f) => f.name !== 'fastapi');
  const skipped = [];
  const chosen = [];
  for (const f of list) {
    if (f.available()) chosen.push(f);
    else skipped.push({ name: f.name, why: f.missing });
  }
  return { chosen, skipped };
}
