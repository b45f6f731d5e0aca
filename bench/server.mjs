// Issue 14's server numbers on the seed's /fast_task/: the access log on against off (target:
// on within 5% of off), and HTTPS and HTTP/2 against plain HTTP and against Fastify with the
// same certificate (made here by openssl). Each case is the server on core 0, the load on
// core 1 (wrk for HTTP/1.1 and HTTPS; a Node HTTP/2 client, bench/lib/h2-load.mjs, for h2),
// rounds alternating the order. CPU µs per request (the server's own CPU time over the
// requests it answered) is the steadier figure on a shared machine. Each sample waits for the
// machine to go quiet, warms the server up, and is measured again (up to --retries times) when
// other processes used more than --max-foreign of core 0 meanwhile; the least disturbed is kept.
// The server's stdout (its access lines) goes to `cat` on core 1, as to a log collector beside
// it (--stdout pipe), or to a file (--stdout file): never to this process, which is not pinned.
//
//   node server.mjs [--rounds 2] [--duration 8] [--connections 50] [--only log|tls] [--stdout pipe|file]
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import http from 'node:http';
import https from 'node:https';
import { killAllNow, spawnPinned, stopChild, tail } from './lib/children.mjs';
import { foreignLoad, processCpuTicks, cpuMicrosPerRequest } from './lib/procfs.mjs';
import { waitForQuiet } from './lib/quiet.mjs';
import { freePort } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { runWrk } from './lib/wrk.mjs';
import { builtApp, ensureBuilt } from './lib/spry-build.mjs';
import { nodeBinary } from './lib/hosts.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    stdout: { type: 'string', default: 'pipe' },
    'max-foreign': { type: 'string', default: '0.05' },
    retries: { type: 'string', default: '2' },
  },
});
if (opt.stdout !== 'pipe' && opt.stdout !== 'file') throw new Error('--stdout is pipe or file');
const rounds = positiveInt(opt, 'rounds');
const warmupS = Number(opt.warmup);
const maxForeign = Number(opt['max-foreign']);
const retries = Number(opt.retries);
const durationS = positiveInt(opt, 'duration');
const connections = positiveInt(opt, 'connections');
process.on('SIGINT', () => (killAllNow(), process.exit(130)));
process.on('exit', killAllNow);

const dir = mkdtempSync(join(tmpdir(), 'spry-bench-tls-'));
const key = join(dir, 'key.pem');
const cert = join(dir, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });

// spry as installed: dist/ (built here if src/ is newer) and the seed app as JavaScript, on Node 24.
ensureBuilt(REPO);
const NODE = nodeBinary(24) ?? process.execPath;
const SEED = builtApp(REPO, join(REPO, 'examples', 'seed', 'main.ts'));
const spry = (...flags) => ({ argv: () => [NODE, join(REPO, 'bin', 'spry.mjs'), 'run', SEED, ...flags], env: {} });
const tls = ['--ssl-keyfile', key, '--ssl-certfile', cert];
const fastify = (env) => ({ argv: () => [NODE, join(BENCH, 'apps', env ? 'fastify-tls.mjs' : 'fastify.mjs')], env: env ?? {} });
const CASES = {
  log: [
    { name: 'spry, access log on', fw: spry(), scheme: 'http' },
    { name: 'spry --no-access-log', fw: spry('--no-access-log'), scheme: 'http' },
  ],
  tls: [
    { name: 'spry http', fw: spry('--no-access-log'), scheme: 'http' },
    { name: 'spry https', fw: spry('--no-access-log', ...tls), scheme: 'https' },
    { name: 'spry --http2, h1 client', fw: spry('--no-access-log', ...tls, '--http2'), scheme: 'https' },
    { name: 'spry --http2, h2 client', fw: spry('--no-access-log', ...tls, '--http2'), scheme: 'h2' },
    { name: 'fastify http', fw: fastify(), scheme: 'http' },
    { name: 'fastify https', fw: fastify({ TLS_KEY: key, TLS_CERT: cert }), scheme: 'https' },
    { name: 'fastify http2, h2 client', fw: fastify({ TLS_KEY: key, TLS_CERT: cert, HTTP2: '1' }), scheme: 'h2' },
  ],
};
const cases = opt.only ? CASES[opt.only] : [...CASES.log, ...CASES.tls];

// Server on core 0, polled until /fast_task/ answers, over TLS when the case needs it.
async function start(c) {
  const port = await freePort();
  // Read, as a log collector would, on the load's core: a pipe nobody reads fills, and the
  // server's log writes would then wait on it.
  const reader = opt.stdout === 'pipe' ? spawnPinned(['cat'], { cpu: 1, stdio: ['pipe', 'ignore', 'ignore'] }) : undefined;
  const file = opt.stdout === 'file' ? openSync(join(dir, `stdout-${port}.log`), 'w') : undefined;
  const child = spawnPinned(c.fw.argv(), { cpu: 0, stdio: ['ignore', reader?.stdin ?? file, 'pipe'], env: { PORT: String(port), HOST: '127.0.0.1', SLOW_TASK_SECONDS: '0', NODE_ENV: 'production', ...c.fw.env } });
  if (file !== undefined) closeSync(file);
  const logs = tail(child.stderr);
  const stop = async () => {
    await stopChild(child);
    if (reader !== undefined) await stopChild(reader);
  };
  const get = c.scheme === 'http' ? http.get : https.get;
  for (let i = 0; i < 300; i++) {
    const up = await new Promise((resolve) => get({ host: '127.0.0.1', port, path: '/fast_task/', rejectUnauthorized: false, agent: false }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)));
    if (up) return { port, pid: child.pid, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${c.name} did not start: ${logs()}`);
}

async function h2load(url) {
  const child = spawnPinned([process.execPath, join(BENCH, 'lib', 'h2-load.mjs'), url, '/fast_task/', '4', String(Math.ceil(connections / 4)), String(durationS), cert], { cpu: 1 });
  const out = tail(child.stdout, 10_000);
  await new Promise((resolve) => child.on('exit', resolve));
  return JSON.parse(out().trim().split('\n').at(-1));
}

console.error(`node server.mjs ${process.argv.slice(2).join(' ')}`);
const load = (c, url, seconds) => (c.scheme === 'h2' ? h2load(url) : runWrk({ url: `${url}/fast_task/`, durationS: seconds, connections }));

async function measure(c) {
  const busy = await waitForQuiet();
  const server = await start(c);
  try {
    const url = `${c.scheme === 'http' ? 'http' : 'https'}://127.0.0.1:${server.port}`;
    if (warmupS > 0 && c.scheme !== 'h2') await runWrk({ url: `${url}/fast_task/`, durationS: warmupS, connections });
    const foreign = foreignLoad(0, [server.pid]);
    const before = processCpuTicks(server.pid);
    const result = await load(c, url, durationS);
    const cpuUs = cpuMicrosPerRequest(before, processCpuTicks(server.pid), result.requests);
    return { rps: result.rps, p99: result.p99, cpuUs, errors: (result.errors ?? 0) + (result.socketErrors ?? 0) + (result.non2xx ?? 0), foreign0: foreign(), foreign1: result.foreignCpu1 ?? null, busyBefore: busy };
  } finally {
    await server.stop();
  }
}

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${Math.round(x * 100)}%`);
const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
    let kept;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const sample = await measure(c).catch((error) => ({ error }));
      if (sample.error) {
        console.error(`${c.name}: ${sample.error.message.split('\n')[0]}`);
        break;
      }
      const noisy = sample.foreign0 > maxForeign;
      console.error(`${c.name}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99?.toFixed(2)} ms, ${sample.cpuUs?.toFixed(1)} CPU µs/req; others used ${pct(sample.foreign0)} of core 0, ${pct(sample.foreign1)} of core 1${noisy ? ' (DISTURBED)' : ''}`);
      if (kept === undefined || sample.foreign0 < kept.foreign0) kept = { ...sample, disturbed: noisy };
      if (!noisy) break;
    }
    if (kept !== undefined) samples[c.name].push(kept);
  }
}
rmSync(dir, { recursive: true, force: true });
const rows = cases.map((c) => {
  const s = samples[c.name];
  return { case: c.name, rps: Math.round(median(s.map((x) => x.rps))), p99: median(s.map((x) => x.p99))?.toFixed(2), cpuUs: median(s.map((x) => x.cpuUs))?.toFixed(1), errors: s.reduce((a, x) => a + x.errors, 0), disturbed: s.filter((x) => x.disturbed).length, n: s.length };
});
console.log(`stdout: ${opt.stdout}\n\n| case | req/s (median) | p99 ms | CPU µs/req | errors | samples disturbed |\n|---|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.case} | ${r.rps} | ${r.p99} | ${r.cpuUs} | ${r.errors} | ${r.disturbed}/${r.n} |`);
