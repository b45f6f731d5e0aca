// docs/reliability.md row 30: graceful shutdown of `spry run`, on a real process and real sockets.
// In-flight requests end when the test creates the release file, never after a guessed delay.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { after, describe, test } from "node:test";
import { LIFECYCLE_APP, closed, events, exchange, logLines, releaseFile, removeReleaseFiles } from "./lifecycle.ts";
import { EXIT_TIMEOUT_MS, get, killAll, spry, waitFor } from "./spry-process.ts";

after(async () => {
  await killAll();
  removeReleaseFiles();
});

describe("shutdown (docs/reliability.md row 30)", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal}: in-flight requests finish with Connection: close, idle keep-alive connections close at once, new connections are refused`, { timeout: 90_000 }, async (t) => {
      const { path, release } = releaseFile();
      const server = spry(["run", LIFECYCLE_APP, "--port", "0"], { env: { RELEASE_FILE: path } });
      const url = await server.url();
      const agents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
      t.after(() => agents.forEach((agent) => agent.destroy()));
      const [idleAgent, agentA, agentB, streamAgent] = agents as [Agent, Agent, Agent, Agent];

      // An idle keep-alive connection: one request answered, the connection kept.
      const first = exchange(`${url}/pid`, idleAgent);
      const answered = await first.response;
      assert.equal(answered.status, 200);
      assert.equal(answered.headers.connection, "keep-alive");
      const idle = first.socket()!;

      // Two requests in flight on keep-alive connections, and a stream whose head has gone out.
      const a = exchange(`${url}/hold/a`, agentA);
      const b = exchange(`${url}/hold/b`, agentB);
      const stream = exchange(`${url}/stream`, streamAgent);
      await waitFor("3 requests in flight", () => events(server, "hold").length === 3 && stream.firstChunk(), 30_000, server.stdout);

      server.proc.kill(signal);
      await waitFor("the idle connection to be closed by the server", () => closed(idle), 30_000, server.stdout);
      const refused = await get(`${url}/pid`, 5_000).then(
        (response) => `answered ${response.status}`,
        (error: NodeJS.ErrnoException) => error.code,
      );
      assert.ok(refused === "ECONNREFUSED" || refused === "answered 503", `a new connection during shutdown: ${refused}`);
      assert.equal(events(server, "done").length, 0, "nothing released yet, so nothing finished");
      assert.equal(events(server, "shutdown").length, 0, "the app's shutdown waits for in-flight requests");

      const releasedAt = Date.now();
      release();
      for (const [held, name] of [[a, "a"], [b, "b"]] as const) {
        const response = await held.response;
        assert.equal(response.status, 200);
        assert.deepEqual(JSON.parse(response.body), { name, pid: server.pid });
        assert.equal(response.headers.connection, "close", `/hold/${name} must say Connection: close`);
      }
      const streamed = await stream.response;
      assert.equal(streamed.body, "first\nlast\n");
      for (const held of [a, b, stream]) await waitFor("the server to close the connection", () => closed(held.socket()), 30_000);

      const exit = await Promise.race([server.exited, new Promise((resolve) => setTimeout(resolve, EXIT_TIMEOUT_MS, "still running"))]);
      assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
      t.diagnostic(`exited ${Date.now() - releasedAt} ms after the in-flight requests were released`);

      // Order: stop accepting, the requests finish, then the app's shutdown (lifespan), then exit.
      const lines = logLines(server);
      const at = (match: (line: Record<string, unknown>) => boolean) => lines.findIndex(match);
      const stopping = at((line) => line.msg === "Shutting down: finishing in-flight requests" && line.signal === signal);
      const lastDone = lines.findLastIndex((line) => line.event === "done");
      const shutdown = at((line) => line.event === "shutdown");
      assert.ok(stopping >= 0 && stopping < lastDone && lastDone < shutdown, server.stdout());
      assert.equal(events(server, "done").length, 2);
      assert.doesNotMatch(server.stdout(), /cutting off/);
    });
  }

  test("a second signal cuts off in-flight requests at once, logs them, and exits 1", { timeout: 60_000 }, async () => {
    const { path } = releaseFile();
    const server = spry(["run", LIFECYCLE_APP, "--port", "0"], { env: { RELEASE_FILE: path } });
    const url = await server.url();
    const held = exchange(`${url}/hold/forever`, false);
    await waitFor("the request in flight", () => events(server, "hold").length === 1, 30_000, server.stdout);

    server.proc.kill("SIGTERM");
    await waitFor("the shutdown to begin", () => server.stdout().includes("Shutting down"), 30_000, server.stdout);
    server.proc.kill("SIGTERM");

    await assert.rejects(held.response, /socket hang up|ECONNRESET/);
    assert.deepEqual(await server.exited, { code: 1, signal: null });
    const cut = logLines(server).find((line) => typeof line.msg === "string" && line.msg.includes("cutting off"));
    assert.ok(cut, server.stdout());
    assert.equal(cut.reason, "Second signal (SIGTERM)");
    assert.deepEqual(cut.requests, [{ method: "GET", url: "/hold/forever" }]);
    assert.equal(events(server, "done").length, 0);
  });

  test("the grace period (--grace-period) cuts off what is still in flight, logs it, and exits 1", { timeout: 60_000 }, async () => {
    const { path } = releaseFile();
    const server = spry(["run", LIFECYCLE_APP, "--port", "0", "--grace-period", "0.5"], { env: { RELEASE_FILE: path } });
    const url = await server.url();
    const held = exchange(`${url}/hold/slow?x=1`, false);
    await waitFor("the request in flight", () => events(server, "hold").length === 1, 30_000, server.stdout);

    server.proc.kill("SIGTERM");
    await assert.rejects(held.response, /socket hang up|ECONNRESET/);
    assert.deepEqual(await server.exited, { code: 1, signal: null });
    const cut = logLines(server).find((line) => typeof line.msg === "string" && line.msg.includes("cutting off"));
    assert.ok(cut, server.stdout());
    assert.equal(cut.reason, "Grace period of 500 ms over");
    assert.deepEqual(cut.requests, [{ method: "GET", url: "/hold/slow?x=1" }]);
  });

  test("with nothing in flight, exits 0 at once and runs the app's shutdown", { timeout: 60_000 }, async () => {
    const { path } = releaseFile();
    const server = spry(["run", LIFECYCLE_APP, "--port", "0"], { env: { RELEASE_FILE: path } });
    await server.url();
    server.proc.kill("SIGTERM");
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    assert.equal(events(server, "startup").length, 1);
    assert.equal(events(server, "shutdown").length, 1);
  });
});
