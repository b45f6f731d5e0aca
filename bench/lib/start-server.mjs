// Start one app on core 0, wait until its port answers HTTP, and find the pid
// that really serves it (for RSS). Log lines are not parsed: frameworks differ.
import http from 'node:http';
import net from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { spawnPinned, stopChild, tail } from './children.mjs';
import { findListeningPid, processTree, readRssKb } from './procfs.mjs';

export const HOST = '127.0.0.1';
const SERVER_CPU = 0;
const START_TIMEOUT_MS = 15_000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function httpGet(port, path, { timeoutMs = 2000, method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path, method, headers, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `cpu` is a taskset list: core 0 by default; bench/threads.mjs gives its pool both cores.
// A framework's own `env` (the spry variants') comes first; the caller's `env` overrides it.
// `node`: the Node binary a Node app runs on (the harness's own when not given).
export async function startServer(fw, { slowSeconds, cpu = SERVER_CPU, env = {}, node }) {
  const port = await freePort();
  const argv = fw.argv({ port, node });
  const child = spawnPinned(argv, {
    cpu,
    env: { PORT: String(port), HOST, SLOW_TASK_SECONDS: String(slowSeconds), NODE_ENV: 'production', ...fw.env, ...env },
  });
  const out = tail(child.stdout);
  const err = tail(child.stderr);
  const logs = () => `--- stdout ---\n${out()}\n--- stderr ---\n${err()}`;

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${fw.name} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}\n${logs()}`);
    }
    try {
      await httpGet(port, '/fast_task/', { timeoutMs: 1000 });
      break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${fw.name} did not answer on ${HOST}:${port} within ${START_TIMEOUT_MS / 1000} s\n${logs()}`);
    }
    await sleep(100);
  }

  const serverPid = findListeningPid(port, child.pid) ?? child.pid;
  return {
    name: fw.name,
    port,
    pid: child.pid,
    serverPid,
    logs,
    rssKb: () => readRssKb(serverPid),
    // Sum over the launched process tree, in case a wrapper process stays resident.
    treeRssKb: () => processTree(child.pid).reduce((s, p) => s + (readRssKb(p) ?? 0), 0),
    treeSize: () => processTree(child.pid).length,
    stop: () => stopChild(child),
  };
}

// Fail loudly if an app answers the benchmarked URL with the wrong thing:
// a fast 404 would otherwise look like a great result.
// `request`: method, headers and body, for what is not a plain GET.
export async function checkResponse(server, path, expected, request = {}) {
  const res = await httpGet(server.port, path, request);
  let parsed;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  if (res.status !== 200 || !isDeepStrictEqual(parsed, expected)) {
    throw new Error(`${server.name} ${request.method ?? 'GET'} ${path} answered ${res.status} ${res.body}; expected 200 ${JSON.stringify(expected)}`);
  }
}
