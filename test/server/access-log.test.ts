// The access log and request ids: a line per request with what an operator filters on, an id
// on every line the request produces (its 500's included) and in the response's X-Request-ID.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { z } from "zod";
import { Spry } from "spry";
import type { ServeOptions } from "spry/server";
import { recordingLogger } from "../support/logger.ts";
import { eventually, TestServer } from "../support/server.ts";
import { freePort, get, killAll, spry, waitFor, type SpryProcess } from "./spry-process.ts";
import { LIFECYCLE_APP } from "./lifecycle.ts";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

function status(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${url}: no answer within 10 s`)));
    req.on("error", reject);
    req.end();
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const appLog = recordingLogger();
const app = new Spry({ logger: appLog });
app.get("/items/{id}", { id: z.int() }, ({ id }) => ({ id }));
app.get("/slow", async () => {
  await delay(300);
  return { slow: true };
});
app.get("/boom", () => {
  throw new Error("kaput");
});

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await killAll();
});

async function start(options: ServeOptions = {}) {
  const access = recordingLogger();
  const srv = await TestServer.start(app, { accessLog: access, ...options });
  servers.push(srv);
  return { srv, access };
}

describe("the access line", () => {
  test("method, path, route template, status, duration, bytes, client and request id", async () => {
    const { srv, access } = await start();
    const response = await srv.get("/items/7?x=1");
    assert.equal(response.status, 200);
    const id = response.headers["x-request-id"] as string;
    assert.match(id, UUID);
    assert.ok(await eventually(() => access.entries.length === 1));
    const [{ level, fields, message }] = access.entries as [typeof access.entries[number]];
    assert.equal(level, "info");
    assert.deepEqual({ ...fields, durationMs: typeof fields.durationMs, bytes: typeof fields.bytes, client: typeof fields.client }, {
      method: "GET", path: "/items/7?x=1", route: "/items/{id}", status: 200, durationMs: "number", bytes: "number", client: "string", requestId: id, httpVersion: "1.1",
    });
    assert.ok((fields.bytes as number) > '{"id":7}'.length, "the response's bytes, head included");
    assert.match(fields.client as string, /^127\.0\.0\.1:\d+$/);
    assert.match(message!, /^127\.0\.0\.1:\d+ - "GET \/items\/7\?x=1 HTTP\/1\.1" 200 \d+\.\d ms$/);
  });

  test("a 404 has no route; a proxied client shows as the proxy said", async () => {
    const { srv, access } = await start();
    assert.equal((await srv.get("/nowhere", { "x-forwarded-for": "203.0.113.7" })).status, 404);
    assert.ok(await eventually(() => access.entries.length === 1));
    assert.equal(access.entries[0]!.fields.route, undefined);
    assert.equal(access.entries[0]!.fields.client, "203.0.113.7:0");
  });

  test("pipelined requests: a line each, in order, each with its own response's bytes", async () => {
    const { srv, access } = await start();
    const socket = connect(srv.port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.write([1, 22, 333].map((id) => `GET /items/${id} HTTP/1.1\r\nhost: x\r\n\r\n`).join(""));
    assert.ok(await eventually(() => received.split("HTTP/1.1 200").length === 4 && received.endsWith("}")), received);
    socket.destroy();
    const responses = received.split(/(?=HTTP\/1\.1 200)/);
    assert.ok(await eventually(() => access.entries.length === 3));
    assert.deepEqual(access.entries.map((e) => [e.fields.path, e.fields.bytes, e.fields.aborted]), [["/items/1", responses[0]!.length, undefined], ["/items/22", responses[1]!.length, undefined], ["/items/333", responses[2]!.length, undefined]]);
  });

  test("a client that leaves before its response: one line, aborted", async () => {
    const { srv, access } = await start();
    const connection = await srv.connect();
    connection.write("GET /slow HTTP/1.1\r\nhost: x\r\n\r\n");
    await delay(100);
    connection.destroy();
    assert.ok(await eventually(() => access.entries.length === 1));
    // The handler's answer, once it comes, adds nothing.
    await delay(400);
    assert.equal(access.entries.length, 1);
    const [{ fields, message }] = access.entries as [typeof access.entries[number]];
    assert.deepEqual([fields.path, fields.route, fields.aborted], ["/slow", "/slow", true]);
    assert.match(message!, / \(client left\)$/);
  });

  test("accessLog: false logs nothing, and the request still gets an id", async () => {
    const srv = await TestServer.start(app, { accessLog: false });
    servers.push(srv);
    assert.match((await srv.get("/items/1")).headers["x-request-id"] as string, UUID);
  });
});

describe("request ids", () => {
  test("a trusted client's X-Request-ID is kept; anyone else's is replaced", async () => {
    const trusted = await start();
    assert.equal((await trusted.srv.get("/items/1", { "x-request-id": "edge-42" })).headers["x-request-id"], "edge-42");
    const untrusted = await start({ forwardedAllowIps: "10.9.9.9" });
    assert.match((await untrusted.srv.get("/items/1", { "x-request-id": "edge-42" })).headers["x-request-id"] as string, UUID);
    const junk = await trusted.srv.get("/items/1", { "x-request-id": "a b" });
    assert.match(junk.headers["x-request-id"] as string, UUID);
  });

  test("the 500's log line names the path, the status and the request id, as the access line does", async () => {
    const { srv, access } = await start();
    appLog.entries.length = 0;
    const response = await srv.get("/boom", { "x-request-id": "trace-500" });
    assert.equal(response.status, 500);
    assert.equal(response.headers["x-request-id"], "trace-500");
    const error = appLog.entries.find((e) => e.level === "error")!;
    assert.deepEqual({ method: error.fields.method, path: error.fields.path, status: error.fields.status, requestId: error.fields.requestId, route: error.fields.route }, { method: "GET", path: "/boom", status: 500, requestId: "trace-500", route: "GET /boom" });
    assert.ok(await eventually(() => access.entries.length === 1));
    assert.deepEqual([access.entries[0]!.fields.status, access.entries[0]!.fields.requestId], [500, "trace-500"]);
  });
});

function accessPaths(server: SpryProcess): string[] {
  return server
    .stdout()
    .split("\n")
    .filter((line) => line.includes('"route":"/'))
    .map((line) => (JSON.parse(line) as { path: string }).path);
}

describe("from the command line", () => {
  test("spry run: a JSON line per request; --no-access-log: none", { timeout: 60_000 }, async () => {
    const server = spry(["run", "examples/seed/main.ts", "--port", "0"]);
    const url = await server.url();
    assert.equal((await get(`${url}/fast_task/`)).status, 200);
    await waitFor("the access line", () => server.stdout().includes('"path":"/fast_task/"'), 10_000, server.stdout);
    const line = JSON.parse(server.stdout().split("\n").find((l) => l.includes('"path":"/fast_task/"'))!) as Record<string, unknown>;
    assert.equal(line.route, "/fast_task/");
    assert.equal(line.status, 200);
    assert.match(line.requestId as string, UUID);

    const port = await freePort();
    const quiet = spry(["run", "examples/seed/main.ts", "--port", String(port), "--no-access-log"]);
    const quietUrl = await quiet.url();
    assert.equal((await get(`${quietUrl}/fast_task/`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.doesNotMatch(quiet.stdout(), /"path":"\/fast_task\/"/);
  });

  // The server's own JSON lines are made from their parts, not through jsonLine's fields
  // (src/server/access-log.ts): the same line, byte for byte, for each kind of request.
  test("spry run: each line is the one JSON.stringify writes: made and given ids, sizes that repeat and change, HTTP/1.0, a 404, a proxied client, a client that left", { timeout: 60_000 }, async () => {
    const server = spry(["run", "examples/seed/main.ts", "--port", "0", "--log-flush", "0"], { env: { SLOW_TASK_SECONDS: "0.3" } });
    const { port } = new URL(await server.url());
    const exchange = (text: string, until: (received: string) => boolean) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let received = "";
        socket.setEncoding("latin1");
        socket.on("data", (chunk: string) => {
          received += chunk;
          if (until(received)) {
            socket.destroy();
            resolve(received);
          }
        });
        socket.on("error", reject);
        socket.write(text);
      });
    const get = (path: string, headers = "") => `GET ${path} HTTP/1.1\r\nhost: x\r\n${headers}\r\n`;
    const pipelined = [
      get("/fast_task/"),
      get("/fast_task/"),
      get("/fast_task/"),
      get("/slow_task/1"),
      get("/slow_task/22?q=x"),
      get("/slow_task/22?q=x"),
      get("/nowhere"),
      get("/fast_task/?who", 'x-request-id: edge"1\\x\r\nx-forwarded-for: 203.0.113.7\r\n'),
      get("/fast_task/"),
    ];
    const answers = (text: string) => text.split(/(?=HTTP\/1\.[01] \d{3} )/);
    const received = await exchange(pipelined.join(""), (text) => answers(text).length === pipelined.length && text.endsWith("}"));
    await exchange("GET /fast_task/ HTTP/1.0\r\n\r\n", (text) => text.endsWith("}"));
    const leaving = connect(Number(port), "127.0.0.1");
    leaving.write(get("/slow_task/3"));
    await delay(100);
    leaving.destroy();
    const lines = () => server.stdout().split("\n").filter((line) => line.includes('"requestId"'));
    await waitFor("11 access lines", () => lines().length === 11, 10_000, server.stdout);
    for (const line of lines()) {
      const f = JSON.parse(line) as Record<string, unknown>;
      const reference = { level: 30, time: f.time, method: f.method, path: f.path, route: f.route, status: f.status, durationMs: f.durationMs, bytes: f.bytes, client: f.client, requestId: f.requestId, httpVersion: f.httpVersion, ...(f.aborted === true && { aborted: true }) };
      assert.equal(line, JSON.stringify(reference));
    }
    const parsed = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    const ids = [...received.matchAll(/x-request-id: (.*)\r\n/gi)].map((m) => m[1]);
    assert.deepEqual(parsed.slice(0, pipelined.length).map((f) => f.requestId), ids);
    assert.equal(parsed[7]!.requestId, 'edge"1\\x');
    for (const [i, f] of parsed.entries()) if (i !== 7) assert.match(f.requestId as string, UUID);
    assert.deepEqual(parsed.slice(0, pipelined.length).map((f) => f.bytes), answers(received).map((a) => a.length));
    assert.deepEqual(parsed.map((f) => [f.path, f.status, f.httpVersion, f.aborted ?? false]), [
      ["/fast_task/", 200, "1.1", false], ["/fast_task/", 200, "1.1", false], ["/fast_task/", 200, "1.1", false],
      ["/slow_task/1", 200, "1.1", false], ["/slow_task/22?q=x", 200, "1.1", false], ["/slow_task/22?q=x", 200, "1.1", false],
      ["/nowhere", 404, "1.1", false], ["/fast_task/?who", 200, "1.1", false], ["/fast_task/", 200, "1.1", false],
      ["/fast_task/", 200, "1.0", false], ["/slow_task/3", 200, "1.1", true],
    ]);
    assert.equal(parsed[7]!.client, "203.0.113.7:0");
    assert.match(parsed[8]!.client as string, /^127\.0\.0\.1:\d+$/);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`spry run: lines still gathered at ${signal} are written before the process exits, in order, each once`, { timeout: 60_000 }, async () => {
      const server = spry(["run", "examples/seed/main.ts", "--port", "0"]);
      const url = await server.url();
      for (let i = 0; i < 30; i++) assert.equal((await get(`${url}/fast_task/?n=${i}`)).status, 200);
      server.proc.kill(signal);
      assert.equal((await server.exited).code, 0);
      assert.deepEqual(accessPaths(server), Array.from({ length: 30 }, (_, i) => `/fast_task/?n=${i}`));
    });
  }

  test("spry run: a crash (an uncaught exception) writes the gathered lines, then a fatal line naming it", { timeout: 60_000 }, async () => {
    const server = spry(["run", LIFECYCLE_APP, "--port", "0"]);
    const url = await server.url();
    for (let i = 0; i < 10; i++) assert.equal((await get(`${url}/pid?n=${i}`)).status, 200);
    assert.equal((await get(`${url}/throw-later`)).status, 200);
    assert.equal((await server.exited).code, 1);
    assert.deepEqual(accessPaths(server), [...Array.from({ length: 10 }, (_, i) => `/pid?n=${i}`), "/throw-later"]);
    const lines = server.stdout().trimEnd().split("\n");
    const fatal = JSON.parse(lines.at(-1)!) as { level: number; origin: string; err: { type: string; message: string; stack: string }; msg: string };
    assert.equal(fatal.level, 60);
    assert.equal(fatal.msg, "Uncaught exception: the process exits");
    assert.deepEqual([fatal.origin, fatal.err.type, fatal.err.message], ["uncaughtException", "Error", "thrown after the response"]);
    assert.match(fatal.err.stack, /lifecycle-app\.ts/);
    assert.match(server.stderr(), /thrown after the response/, "Node's own report stays on stderr");
  });

  test("spry run --limit-max-requests: the process that recycles itself writes every line first", { timeout: 60_000 }, async () => {
    const server = spry(["run", "examples/seed/main.ts", "--port", "0", "--limit-max-requests", "20", "--limit-max-requests-jitter", "0"]);
    const url = await server.url();
    for (let i = 0; i < 20; i++) assert.equal((await get(`${url}/fast_task/?n=${i}`)).status, 200);
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    assert.deepEqual(accessPaths(server), Array.from({ length: 20 }, (_, i) => `/fast_task/?n=${i}`));
  });

  test("spry run --workers 2: workers recycled (--limit-max-requests) and stopped (SIGTERM) lose no line", { timeout: 120_000 }, async () => {
    const server = spry(["run", "examples/seed/main.ts", "--port", "0", "--workers", "2", "--limit-max-requests", "10", "--limit-max-requests-jitter", "0"]);
    const url = await server.url();
    const sent: string[] = [];
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const path = `/fast_task/?n=${sent.length}`;
        assert.equal((await get(`${url}${path}`)).status, 200);
        sent.push(path);
      }
    };
    const count = (text: string) => server.stdout().split("\n").filter((line) => line.includes(text)).length;
    const serving = () => count('"msg":"spry worker [');
    const recycled = () => count("(--limit-max-requests): restarting");
    await waitFor("2 workers", () => serving() === 2, 60_000, server.stdout);
    // Until both first workers have recycled (a worker starting late leaves the other all the
    // requests for a while), then until every replacement serves: a stop meets no worker starting.
    while (recycled() < 2 && sent.length < 200) await send(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await waitFor("the replacements", () => serving() === 2 + recycled(), 60_000, server.stdout);
    server.proc.kill("SIGTERM");
    assert.equal((await server.exited).code, 0);
    assert.ok(recycled() >= 2, `${recycled()} workers recycled`);
    assert.deepEqual(accessPaths(server).sort(), [...sent].sort(), "every line once");
  });

  test("spry run: a lone line reaches stdout within the flush interval, without waiting for others; --log-flush 0 writes each at once", { timeout: 60_000 }, async () => {
    for (const flags of [[], ["--log-flush", "0"]]) {
      const server = spry(["run", "examples/seed/main.ts", "--port", "0", ...flags]);
      const url = await server.url();
      assert.equal((await get(`${url}/fast_task/?lone`)).status, 200);
      const answered = performance.now();
      await waitFor("the lone line", () => accessPaths(server).includes("/fast_task/?lone"), 10_000, server.stdout);
      // 0.1 s by default; the margin is for a loaded machine, not for the design.
      assert.ok(performance.now() - answered < 2_000, `${Math.round(performance.now() - answered)} ms`);
      server.proc.kill("SIGTERM");
      await server.exited;
    }
  });

  // docs/reliability.md row 46: 3,000 requests while nobody reads stdout (several times what
  // the pipe holds), then their lines once it is read again.
  async function stalledStdout(command: "run" | "dev", lastLine: string): Promise<void> {
    const server = spry([command, "examples/seed/main.ts", "--port", "0"]);
    const url = await server.url();
    server.proc.stdout!.pause();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 3000 }, (_, i) => status(`${url}/fast_task/?n=${i}`, agent)));
    const elapsed = performance.now() - started;
    agent.destroy();
    assert.deepEqual(new Set(statuses), new Set([200]));
    server.proc.stdout!.resume();
    await waitFor("the last line", () => server.stdout().includes(lastLine), 20_000, () => `${server.stdout().length} characters so far`);
    assert.ok(elapsed < 60_000, `3000 requests took ${Math.round(elapsed)} ms`);
  }

  test("spry run: a stdout nobody reads never holds requests up; the lines follow once it is read again", { timeout: 90_000 }, () =>
    stalledStdout("run", '"path":"/fast_task/?n=2999"'));

  // Under `spry dev`: a terminal or pipe that stops reading.
  test("spry dev: a stdout nobody reads never holds requests up; the readable lines follow once it is read again", { timeout: 90_000 }, () =>
    stalledStdout("dev", '"GET /fast_task/?n=2999 HTTP/1.1" 200'));

  test("spry dev: a readable line", { timeout: 60_000 }, async () => {
    const dev = spry(["dev", "examples/seed/main.ts", "--port", "0"]);
    const url = await dev.url();
    assert.equal((await get(`${url}/fast_task/`)).status, 200);
    await waitFor("the readable access line", () => /127\.0\.0\.1:\d+ - "GET \/fast_task\/ HTTP\/1\.1" 200 \d+\.\d ms/.test(dev.stdout()), 10_000, dev.stdout);
    assert.doesNotMatch(dev.stdout(), /"path":"\/fast_task\/"/, "no JSON under spry dev");
  });
});
