// `spry run --workers N`: a node:cluster primary and its workers, on real processes and sockets.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { WebSocket as Client } from "ws";
import { LIFECYCLE_APP, events, exchange, logLines, releaseFile, removeReleaseFiles } from "./lifecycle.ts";
import { get, isAlive, killAll, sleep, spry, spryExit, tempProject, waitFor, type Exit, type SpryProcess } from "./spry-process.ts";

const cleanups: (() => void)[] = [];
after(async () => {
  await killAll();
  removeReleaseFiles();
  for (const cleanup of cleanups) cleanup();
});

/** Worker pids the primary reports starting, oldest first. */
function started(server: SpryProcess): number[] {
  return logLines(server).flatMap((line) => (typeof line.msg === "string" && line.msg.startsWith("started worker") ? [line.worker as number] : []));
}

function serving(server: SpryProcess): number[] {
  return logLines(server).flatMap((line) => (typeof line.msg === "string" && line.msg.startsWith("spry worker [") ? [line.worker as number] : []));
}

function logged(server: SpryProcess, pattern: RegExp): boolean {
  return logLines(server).some((line) => typeof line.msg === "string" && pattern.test(line.msg));
}

async function pidOf(url: string): Promise<number> {
  const response = await get(`${url}/pid`);
  assert.equal(response.status, 200);
  return (JSON.parse(response.body) as { pid: number }).pid;
}

/** Starts `spry run lifecycle-app --workers N` and waits until every worker serves. */
async function workers(n: number, extra: string[] = [], env: Record<string, string> = {}) {
  const { path, release } = releaseFile();
  const server = spry(["run", LIFECYCLE_APP, "--port", "0", ...extra], { env: { RELEASE_FILE: path, ...env } });
  const url = await server.url();
  await waitFor(`${n} workers serving`, () => serving(server).length >= n, 60_000, server.stdout);
  return { server, url, release };
}

interface Tally {
  statuses: Map<number, number>;
  pids: Set<number>;
  errors: string[];
  requests: number;
}

/**
 * Clients that send requests to /pid in a loop until stopped: `keepAlive` ones over one kept
 * connection each (half of them GETs, half POSTs with a body), the others a GET over a fresh
 * connection per request. Nothing is retried: a server that closes a kept connection without
 * answering the request on it (or resets it) fails the test.
 */
function load(url: string, clients: { keepAlive: number; fresh: number }) {
  const tally: Tally = { statuses: new Map(), pids: new Set(), errors: [], requests: 0 };
  let running = true;
  const payload = JSON.stringify({ data: "x".repeat(2048) });
  const once = (agent: Agent | false, post: boolean) =>
    new Promise<void>((resolve) => {
      const headers = post ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {};
      const req = request(`${url}/pid`, { agent, method: post ? "POST" : "GET", headers, timeout: 20_000 }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          tally.requests++;
          tally.statuses.set(res.statusCode!, (tally.statuses.get(res.statusCode!) ?? 0) + 1);
          if (res.statusCode === 200) {
            const answer = JSON.parse(body) as { pid: number; received?: number };
            tally.pids.add(answer.pid);
            if (post && answer.received !== Buffer.byteLength(payload)) tally.errors.push(`POST body received as ${answer.received} bytes`);
          }
          resolve();
        });
        res.on("error", (error: NodeJS.ErrnoException) => {
          tally.errors.push(`${post ? "POST" : "GET"} mid-response: ${error.code ?? ""} ${error.message}`);
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer in 20 s (reused socket: ${req.reusedSocket})`), { code: "TIMEOUT" })));
      req.on("error", (error: NodeJS.ErrnoException) => {
        tally.errors.push(`${post ? "POST" : "GET"} (reused socket: ${req.reusedSocket}): ${error.code ?? ""} ${error.message}`);
        resolve();
      });
      req.end(post ? payload : undefined);
    });
  const loop = async (agent: Agent | false, post: boolean) => {
    while (running) await once(agent, post);
  };
  const agents = Array.from({ length: clients.keepAlive }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const loops = [...agents.map((agent, i) => loop(agent, i % 2 === 1)), ...Array.from({ length: clients.fresh }, () => loop(false, false))];
  return {
    tally,
    async stop(): Promise<Tally> {
      running = false;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return tally;
    },
  };
}

describe("spry run --workers", () => {
  test("N workers serve one port; the primary logs the url once; each worker runs the app's startup", { timeout: 90_000 }, async () => {
    const { server, url } = await workers(2, ["--workers", "2"]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.urls().length, 1, server.stdout());
    const pids = new Set(started(server));
    assert.equal(pids.size, 2);
    assert.ok(!pids.has(server.pid), "workers are processes of their own");
    await waitFor("both workers to answer", async () => pids.has(await pidOf(url)) && (await answeredBy(url, 10)).size === 2, 30_000);
    assert.deepEqual(new Set(events(server, "startup").map((e) => e.worker)), pids);
  });

  test("WEB_CONCURRENCY sets the number of workers", { timeout: 90_000 }, async () => {
    const { server } = await workers(3, [], { WEB_CONCURRENCY: "3" });
    assert.equal(new Set(started(server)).size, 3);
    assert.match(server.urls()[0]!, /^http:/);
    assert.ok(logged(server, /with 3 workers/), server.stdout());
  });

  test("a crashed worker is replaced and the port keeps serving", { timeout: 90_000 }, async () => {
    const { server, url } = await workers(2, ["--workers", "2"]);
    const [first, second] = started(server) as [number, number];

    // A route that exits the process: its connection closes without an answer.
    await assert.rejects(get(`${url}/crash`), /socket hang up|ECONNRESET/);
    // Serving before the next kill: with no worker left, node:cluster closes the listening socket.
    await waitFor("a third worker serving", () => serving(server).length === 3, 60_000, server.stdout);
    assert.ok(logged(server, /exited \(code 3\); starting a new one/), server.stdout());
    // Killed from outside.
    const survivor = isAlive(first) ? first : second;
    process.kill(survivor, "SIGKILL");
    await waitFor("a fourth worker serving", () => serving(server).length === 4, 60_000, server.stdout);
    assert.ok(logged(server, /exited \(SIGKILL\); starting a new one/), server.stdout());

    const now = await answeredBy(url, 20);
    assert.ok(!now.has(first) && !now.has(second), `old workers still answering: ${[...now].join(", ")}`);
    assert.deepEqual(now, new Set(started(server).slice(2)));
  });

  test("SIGHUP replaces every worker one at a time without failing a request (docs/reliability.md row 33)", { timeout: 120_000 }, async (t) => {
    const { server, url } = await workers(2, ["--workers", "2"]);
    const before = new Set(started(server));
    const traffic = load(url, { keepAlive: 4, fresh: 2 });
    await waitFor("load on both workers", () => [...before].every((pid) => traffic.tally.pids.has(pid)), 30_000);

    server.proc.kill("SIGHUP");
    await waitFor("the reload to finish", () => logged(server, /^reload done: 2 of 2 workers replaced/), 90_000, server.stdout);
    await waitFor("both old workers to exit", () => [...before].every((pid) => !isAlive(pid)), 30_000, server.stdout);
    const after = new Set(started(server).slice(2));
    const served = traffic.tally.requests;
    await waitFor("load served by both new workers", () => [...after].every((pid) => traffic.tally.pids.has(pid)) && traffic.tally.requests > served, 30_000);
    const tally = await traffic.stop();

    t.diagnostic(`${tally.requests} requests through the reload`);
    assert.deepEqual(tally.errors, []);
    assert.deepEqual([...tally.statuses.keys()], [200]);
    assert.equal(after.size, 2);
    for (const pid of after) assert.ok(!before.has(pid));
    assert.deepEqual(new Set([...tally.pids].filter((pid) => !before.has(pid))), after);
    // Every worker ran its own lifespan: two startups and shutdowns for the old, two startups for the new.
    assert.deepEqual(new Set(events(server, "shutdown").map((e) => e.worker)), before);
    assert.equal(events(server, "startup").length, 4);
  });

  test("SIGHUP with WebSockets open: their old workers close them 1001 within the grace period; every new handshake succeeds, the late ones on the new workers", { timeout: 120_000 }, async (t) => {
    const { server, url } = await workers(2, ["--workers", "2", "--grace-period", "5"]);
    const before = new Set(started(server));
    const old: Peer[] = [];
    await waitFor("sockets open on both workers", async () => {
      old.push(await openSocket(url));
      return [...before].every((pid) => old.some((peer) => peer.pid === pid));
    }, 30_000);
    // The old sockets keep talking until they are closed.
    const chatter = setInterval(() => {
      for (const peer of old) if (peer.ws.readyState === Client.OPEN) peer.ws.send("hello");
    }, 20);
    // Handshakes all through the reload. One that reaches an old worker once it is stopping (its
    // connection accepted just before) is answered 503, and the client retries at once, as a
    // client should; nothing else may fail (nor be dropped without a close frame).
    const fresh: Peer[] = [];
    const failures: string[] = [];
    let retried = 0;
    let connecting = true;
    const connector = (async () => {
      while (connecting) {
        try {
          fresh.push(await openSocket(url));
        } catch (error) {
          if (/Unexpected server response: 503$/.test(String(error))) {
            retried++;
            continue;
          }
          failures.push(String(error));
        }
        await sleep(25);
      }
    })();

    server.proc.kill("SIGHUP");
    await waitFor("the reload to finish", () => logged(server, /^reload done: 2 of 2 workers replaced/), 90_000, server.stdout);
    await waitFor("both old workers to exit", () => [...before].every((pid) => !isAlive(pid)), 30_000, server.stdout);
    const after = new Set(started(server).slice(2));
    const during = fresh.length;
    await waitFor("ten handshakes after the reload", () => fresh.length >= during + 10, 30_000);
    connecting = false;
    await connector;
    clearInterval(chatter);

    t.diagnostic(`${old.length} sockets before the reload, ${fresh.length} opened through and after it, ${retried} retried after a 503`);
    assert.deepEqual(failures, []);
    for (const peer of old) {
      assert.deepEqual(await peer.closed, { code: 1001, reason: "Server shutting down" });
      assert.ok(peer.echoed > 0, "the old socket was echoed to until its close");
    }
    // Sockets opened during the reload on a worker that was then retired were closed the same way.
    const onOld = fresh.filter((peer) => before.has(peer.pid));
    for (const peer of onOld) assert.equal((await peer.closed).code, 1001);
    const late = fresh.slice(during);
    assert.deepEqual(new Set(late.map((peer) => peer.pid)), after);
    assert.ok(late.every((peer) => peer.ws.readyState === Client.OPEN), "the new workers' sockets stay open");
    // Each socket's handler ended (its finally ran, seeing 1001) in its old worker, before it exited.
    const ended = events(server, "ws-closed").filter((e) => before.has(e.worker as number));
    assert.equal(ended.length, old.length + onOld.length);
    assert.ok(ended.every((e) => e.code === 1001), JSON.stringify(ended));
    assert.ok(!logged(server, /outlived its grace period/), server.stdout());
    for (const peer of fresh) peer.ws.terminate();
  });

  test("SIGTERM to the primary: in-flight requests finish, every worker exits, then the primary (no orphans)", { timeout: 90_000 }, async () => {
    const { server, url, release } = await workers(2, ["--workers", "2"]);
    const pids = started(server);
    const held = exchange(`${url}/hold/last`, false);
    await waitFor("the request in flight", () => events(server, "hold").length === 1, 30_000, server.stdout);

    server.proc.kill("SIGTERM");
    await waitFor("both workers to begin shutting down", () => logLines(server).filter((l) => l.msg === "Shutting down: finishing in-flight requests").length === 2, 30_000, server.stdout);
    release();
    const response = await held.response;
    assert.equal(response.status, 200);
    assert.equal(response.headers.connection, "close");
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    for (const pid of pids) assert.equal(isAlive(pid), false, `worker ${pid} outlived the primary`);
    assert.equal(events(server, "shutdown").length, 2);
    await assert.rejects(get(`${url}/pid`, 5_000), /ECONNREFUSED/);
  });

  test("a second signal to the primary cuts off in-flight requests; the primary exits 1", { timeout: 90_000 }, async () => {
    const { server, url } = await workers(2, ["--workers", "2"]);
    const pids = started(server);
    const held = exchange(`${url}/hold/cut`, false);
    await waitFor("the request in flight", () => events(server, "hold").length === 1, 30_000, server.stdout);

    server.proc.kill("SIGINT");
    await waitFor("both workers to begin shutting down", () => logLines(server).filter((l) => l.msg === "Shutting down: finishing in-flight requests").length === 2, 30_000, server.stdout);
    server.proc.kill("SIGINT");
    await assert.rejects(held.response, /socket hang up|ECONNRESET/);
    assert.deepEqual(await server.exited, { code: 1, signal: null });
    for (const pid of pids) assert.equal(isAlive(pid), false);
    assert.match(server.stdout(), /cutting off 1 request\(s\) still in flight/);
  });

  test("workers that cannot start: stops after a few tries and exits 1 with one line saying so", { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempProject("module");
    cleanups.push(cleanup);
    writeFileSync(
      join(dir, "main.ts"),
      'import { Spry } from "spry";\nconst app = new Spry();\napp.onStartup(() => { throw new Error("database unreachable"); });\nexport default app;\n',
    );
    // Not spryExit(): five workers load one after another, slower than its bound on a busy machine.
    const server = spry(["run", "main.ts", "--port", "0", "--workers", "2"], { cwd: dir });
    let exit: Exit | undefined;
    void server.exited.then((e) => (exit = e));
    await waitFor("the primary to give up", () => exit !== undefined, 100_000, server.stderr);
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.match(server.stderr(), /database unreachable/);
    assert.match(server.stderr().trimEnd().split("\n").at(-1)!, /^spry: workers keep exiting right after they start \(5 in a row\); stopping$/);
    assert.equal(server.urls().length, 0);
  });
});

describe("--workers usage errors", () => {
  for (const [args, env, pattern] of [
    [["dev", LIFECYCLE_APP, "--workers", "2"], {}, /--workers is for spry run only/],
    [["run", LIFECYCLE_APP, "--workers", "0"], {}, /--workers must be a whole number from 1, got "0"/],
    [["run", LIFECYCLE_APP, "--workers", "two"], {}, /--workers must be a whole number from 1, got "two"/],
    [["run", LIFECYCLE_APP], { WEB_CONCURRENCY: "-1" }, /WEB_CONCURRENCY must be a whole number from 1, got "-1"/],
    [["run", LIFECYCLE_APP, "--grace-period", "soon"], {}, /--grace-period must be a number of seconds, got "soon"/],
  ] as const) {
    test(`spry ${args.join(" ")} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")}`.trimEnd(), async () => {
      const result = await spryExit([...args], { env: { ...env } });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, pattern);
    });
  }
});

/** The pids that answer `n` requests over fresh connections. */
async function answeredBy(url: string, n: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < n; i++) pids.add(await pidOf(url));
  return pids;
}

interface Peer {
  /** The worker that took the socket, as its first message says. */
  pid: number;
  ws: Client;
  closed: Promise<{ code: number; reason: string }>;
  /** Messages echoed back after the first. */
  echoed: number;
}

/** Opens a WebSocket to the app's /ws; resolves once the worker that took it has said its pid. */
function openSocket(url: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new Client(`${url.replace(/^http/, "ws")}/ws`);
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.once("close", (code, reason) => done({ code, reason: reason.toString() })));
    ws.once("error", reject);
    ws.once("message", (data) => {
      const peer: Peer = { pid: (JSON.parse(String(data)) as { pid: number }).pid, ws, closed, echoed: 0 };
      ws.on("message", () => peer.echoed++);
      resolve(peer);
    });
    void closed.then(({ code }) => reject(new Error(`closed with ${code} before its first message`)));
  });
}
