// A handler's signal fires when its client leaves, not when the request body has been read.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { ClientDisconnected, Spry, sleep } from "spry";
import { serve, type Running } from "spry/server";
import { TestClient } from "spry/testing";

describe("cancellation over a real socket", () => {
  const events: string[] = [];
  let reached!: () => void;
  let aborted!: (reason: unknown) => void;
  const app = new Spry({ logger: false });
  app.get("/wait", async (_, { signal }) => {
    signal.addEventListener("abort", () => aborted(signal.reason));
    events.push("started");
    reached();
    try {
      await sleep(60_000, { signal });
      events.push("finished");
    } finally {
      events.push("teardown");
    }
  });
  app.post("/read-then-wait", async (_, ctx) => {
    await ctx.body();
    await sleep(50, { signal: ctx.signal });
    return { aborted: ctx.signal.aborted };
  });
  let gone!: () => void;
  let seen!: (aborted: { aborted: boolean; reason: unknown }) => void;
  app.get("/late-signal", async (_, ctx) => {
    // The client leaves before the handler first reads its signal.
    await new Promise<void>((resolve) => (gone = resolve));
    seen({ aborted: ctx.signal.aborted, reason: ctx.signal.reason });
  });
  let running: Running;
  before(async () => {
    running = await serve(app, { port: 0, handleSignals: false });
  });
  after(() => running.close());

  test("closing the connection aborts the handler's signal and its sleep; teardown still runs", async () => {
    const started = new Promise<void>((resolve) => (reached = resolve));
    const abortedWith = new Promise<unknown>((resolve) => (aborted = resolve));
    const { port } = new URL(running.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.write("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    await started;
    socket.destroy();
    const reason = await abortedWith;
    assert.ok(reason instanceof ClientDisconnected);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ["started", "teardown"]);
    assert.equal(app.stats().cancelled, 1);
  });

  test("a signal first read after the client left is already aborted", async () => {
    const seenWith = new Promise<{ aborted: boolean; reason: unknown }>((resolve) => (seen = resolve));
    const { port } = new URL(running.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.write("GET /late-signal HTTP/1.1\r\nHost: x\r\n\r\n");
    while (gone === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.destroy();
    // Time for the server to see the connection end (a loopback close, on a loaded machine).
    await new Promise((resolve) => setTimeout(resolve, 200));
    gone();
    const { aborted, reason } = await seenWith;
    assert.equal(aborted, true);
    assert.ok(reason instanceof ClientDisconnected);
  });

  test("having read the whole body does not abort the signal", async () => {
    const { port } = new URL(running.url);
    const res = await fetch(`http://127.0.0.1:${port}/read-then-wait`, { method: "POST", body: "payload" });
    assert.deepEqual(await res.json(), { aborted: false });
  });
});

test("on the Fetch path the handler's signal follows the host's request signal, and is counted", async () => {
  const app = new Spry({ logger: false });
  let reason: unknown;
  let reached!: () => void;
  const started = new Promise<void>((resolve) => (reached = resolve));
  app.get("/s", async (_, { signal }) => {
    reached();
    try {
      await sleep(60_000, { signal });
    } catch (error) {
      reason = error;
      throw error;
    }
  });
  const controller = new AbortController();
  const response = app.fetch(new Request("http://x/s", { signal: controller.signal }));
  await started;
  controller.abort();
  await response;
  assert.ok(reason instanceof ClientDisconnected);
  assert.equal(app.stats().cancelled, 1);
});

test("a host aborting its request signal after the response is no cancellation", async () => {
  const app = new Spry({ logger: false });
  let seen: AbortSignal | undefined;
  app.get("/s", (_, { signal }) => {
    seen = signal;
    return null;
  });
  const controller = new AbortController();
  await app.fetch(new Request("http://x/s", { signal: controller.signal }));
  controller.abort();
  assert.equal(seen?.aborted, false);
  assert.equal(app.stats().cancelled, 0);
});

test("a signal read after the response was sent never aborts", async () => {
  const app = new Spry({ logger: false });
  let ctxSignal: (() => AbortSignal) | undefined;
  app.get("/late", (_, ctx) => {
    ctxSignal = () => ctx.signal;
    return "ok";
  });
  await new TestClient(app).get("/late");
  assert.equal(ctxSignal!().aborted, false);
});
