// Issue 14's server numbers on the seed's /fast_task/: the access log on against off (target:
// on within 5% of off), and HTTPS and HTTP/2 against plain HTTP and against Fastify with the
// same certificate (made here by openssl). Each case is the server on core 0, the load on
// core 1 (wrk for HTTP/1.1 and HTTPS; a Node HTTP/2 client, bench/lib/h2-load.mjs, for h2),
// rounds alternating the order. CPU µs per request (the server's own CPU time over the
// requests it answered) is the steadier figure on a shared machine.
//
//   node server.mjs [--rounds 2] [--duration 8] [--connections 50] [--only log|tls]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import http from 'node:http';
import https from 'node:https';
import { killAllNow, spawnPinned, stopChild, tail } from './lib/children.mjs';
import { processCpuTicks, cpuMicrosPerRequest } from './lib/procfs.mjs';
import { freePort } from './lib/start-server.mjs';
import { median } from './lib/table.mjs';
import { runWrk } from './lib/wrk.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const { values: opt } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, duration: { type: 'string', default: '8' }, connections: { type: 'string', default: '50' }, only: { type: 'string' } } });
const rounds = positiveInt(opt, 'rounds');
const durationS = positiveInt(opt, 'duration');
const connections = positiveInt(opt, 'connections');
process.on('SIGINT', () => (killAllNow(), process.exit(130)));
process.on('exit', killAllNow);

const dir = mkdtempSync(join(tmpdir(), 'spry-bench-tls-'));
const key = join(dir, 'key.pem');
const cert = join(dir, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });

const spry = (...flags) => ({ argv: () => [process.execPath, join(REPO, 'bin', 'spry.mjs'), 'run', join(REPO, 'examples', 'seed', 'main.ts'), ...flags], env: {} });
const tls = ['--ssl-keyfile', key, '--ssl-certfile', cert];
const fastify = (env) => ({ argv: () => [process.execPath, join(BENCH, 'apps', env ? 'fastify-tls.mjs' : 'fastify.mjs')], env: env ?? {} });
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
  const child = spawnPinned(c.fw.argv(), { cpu: 0, env: { PORT: String(port), HOST: '127.0.0.1', SLOW_TASK_SECONDS: '0', NODE_ENV: 'production', ...c.fw.env } });
  const logs = tail(child.stderr);
  // Read, as a terminal or a log collector would: a pipe nobody reads fills, and the server's
  // log writes would then wait on it.
  child.stdout.resume();
  const get = c.scheme === 'http' ? http.get : https.get;
  for (let i = 0; i < 300; i++) {
    const up = await new Promise((resolve) => get({ host: '127.0.0.1', port, path: '/fast_task/', rejectUnauthorized: false, agent: false }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)));
    if (up) return { port, pid: child.pid, stop: () => stopChild(child) };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopChild(child);
  throw new Error(`${c.name} did not start: ${logs()}`);
}

async function h2load(url) {
  const child = spawnPinned([process.execPath, join(BENCH, 'lib', 'h2-load.mjs'), url, '/fast_task/', '4', String(Math.ceil(connections / 4)), String(durationS), cert], { cpu: 1 });
  const out = tail(child.stdout, 10_000);
  await new Promise((resolve) => child.on('exit', resolve));
  return JSON.parse(out().trim().split('\n').at(-1));
}

console.error(`node server.mjs ${process.argv.slice(2).join(' ')}`);
const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
    const server = await start(c).catch((error) => ({ error }));
    if (server.error) {
      console.error(`${c.name}: ${server.error.message.split('\n')[0]}`);
      continue;
    }
    const pid = server.pid;
    const url = `${c.scheme === 'http' ? 'http' : 'https'}://127.0.0.1:${server.port}`;
    const before = processCpuTicks(pid);
    const result = c.scheme === 'h2' ? await h2load(url) : await runWrk({ url: `${url}/fast_task/`, durationS, connections });
    const after = processCpuTicks(pid);
    const cpuUs = cpuMicrosPerRequest(before, after, result.requests);
    samples[c.name].push({ rps: result.rps, p99: result.p99, cpuUs, errors: (result.errors ?? 0) + (result.socketErrors ?? 0) + (result.non2xx ?? 0) });
    console.error(`${c.name}: ${Math.round(result.rps)} req/s, p99 ${result.p99?.toFixed(2)} ms, ${cpuUs?.toFixed(1)} CPU µs/req`);
    await server.stop();
  }
}
rmSync(dir, { recursive: true, force: true });
const rows = cases.map((c) => {
  const s = samples[c.name];
  return { case: c.name, rps: Math.round(median(s.map((x) => x.rps))), p99: median(s.map((x) => x.p99))?.toFixed(2), cpuUs: median(s.map((x) => x.cpuUs))?.toFixed(1), errors: s.reduce((a, x) => a + x.errors, 0) };
});
console.log('| case | req/s (median) | p99 ms | CPU µs/req | errors |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.case} | ${r.rps} | ${r.p99} | ${r.cpuUs} | ${r.errors} |`);
