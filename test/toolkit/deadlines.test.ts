// Handler deadlines (docs/reliability.md row 23): 504 at the deadline, the signal aborted with
// HandlerTimeout, teardown only once the handler has stopped, the connection still usable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Agent, request } from "node:http";
import { HTTPException, HandlerTimeout, Spry, depends, json, sleep } from "spry";
import { serve } from "spry/server";
import { forEachTransport } from "../support/transports.ts";
import { recordingLogger } from "../support/logger.ts";

forEachTransport("handler deadlines", (connect) => {
  test("a handler past its route's deadline: 504, its signal aborted, teardown after it stopped", async () => {
    const events: string[] = [];
    const logger = recordingLogger();
    const app = new Spry({ logger });
    const resource = depends(function* resource() {
      events.push("setup");
      try {
        yield "conn";
      } finally {
        events.push("teardown");
      }
    });
    app.get("/slow", { resource }, async (_, { signal }) => {
      try {
        await sleep(60_000, { signal });
      } catch (error) {
        events.push(error instanceof HandlerTimeout ? `stopped: ${error.timeout} ms` : "stopped: other");
        throw error;
      }
    }, { timeout: 30 });
    const client = connect(app);
    const res = await client.get("/slow");
    assert.equal(res.status, 504);
    assert.deepEqual(await res.json(), { detail: "Gateway Timeout" });
    await waitFor(() => events.length === 3);
    assert.deepEqual(events, ["setup", "stopped: 30 ms", "teardown"]);
    assert.equal(app.stats().timedOut, 1);
    const warning = logger.entries.find((e) => e.level === "warn");
    assert.equal(warning?.fields.route, "GET /slow");
    assert.equal(logger.entries.filter((e) => e.level === "error").length, 0, "the handler's HandlerTimeout is not logged as an error");
  });

  test("a handler that ignores its signal: its late result is never sent, teardown waits for it", async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = new Spry({ logger: false, timeout: 30 });
    const resource = depends(function* resource() {
      yield "conn";
      events.push("teardown");
    });
    app.get("/stubborn", { resource }, async () => {
      await gate;
      events.push("handler returned");
      return { late: true };
    });
    const res = await connect(app).get("/stubborn");
    assert.equal(res.status, 504);
    await sleep(20);
    assert.deepEqual(events, [], "nothing is torn down under a running handler");
    release();
    await waitFor(() => events.length === 2);
    assert.deepEqual(events, ["handler returned", "teardown"]);
  });

  test("the app's deadline applies to every route, a route's own replaces it", async () => {
    const app = new Spry({ logger: false, timeout: 60_000 });
    app.get("/quick", async () => {
      await sleep(1);
      return { ok: true };
    });
    app.get("/strict", async ({}, { signal }) => sleep(60_000, { signal }), { timeout: 20 });
    const client = connect(app);
    assert.equal((await client.get("/quick")).status, 200);
    assert.equal((await client.get("/strict")).status, 504);
  });

  test("an exception handler for 504 shapes the answer", async () => {
    const app = new Spry({ logger: false, timeout: 20 });
    app.exceptionHandler(504, () => json({ message: "try again later" }, { status: 504 }));
    app.get("/slow", async (_, { signal }) => sleep(60_000, { signal }));
    const res = await connect(app).get("/slow");
    assert.equal(res.status, 504);
    assert.deepEqual(await res.json(), { message: "try again later" });
  });

  test("a handler that answers before its deadline is untouched, even raising an HTTPException", async () => {
    const app = new Spry({ logger: false, timeout: 60_000 });
    app.get("/missing", async () => {
      await sleep(1);
      throw new HTTPException(404, "Item not found");
    });
    const res = await connect(app).get("/missing");
    assert.equal(res.status, 404);
    assert.equal(app.stats().timedOut, 0);
  });
});

test("a deadline must be a positive number of milliseconds", () => {
  assert.throws(() => new Spry({ logger: false, timeout: 0 }), RangeError);
  assert.throws(() => new Spry({ logger: false, timeout: Number.NaN }), RangeError);
});

test("over a real keep-alive connection the 504 frees the socket for the next request", async () => {
  const app = new Spry({ logger: false });
  app.get("/hang", async (_, { signal }) => sleep(60_000, { signal }), { timeout: 30 });
  app.get("/fast", () => ({ ok: true }));
  const running = await serve(app, { port: 0, handleSignals: false });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get(`${running.url}/hang`, agent);
    const second = await get(`${running.url}/fast`, agent);
    assert.equal(first.status, 504);
    assert.equal(second.status, 200);
    assert.equal(second.body, '{"ok":true}');
    assert.equal(first.socket, second.socket, "the same connection served both");
  } finally {
    agent.destroy();
    await running.close();
  }
});

function get(url: string, agent: Agent): Promise<{ status: number; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      const socket = res.socket;
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body, socket }));
    })
      .on("error", reject)
      .end();
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  assert.ok(condition(), "condition not met in time");
}
