// docs/event-loop.md's example, run: the deadline and its 504 handler, the signal passed on to
// fetch, and the stats that count what happened.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import type { AddressInfo } from "node:net";

test("a route past its own deadline answers through the 504 handler, and is counted", async () => {
  const { default: app } = await import("../../docs/examples/event-loop.ts");
  const client = new TestClient(app);
  const res = await client.get("/search", { query: { q: "spry" } });
  assert.equal(res.status, 504);
  assert.deepEqual(await res.json(), { message: "Took too long, try again" });
  const stats = await (await client.get("/stats")).json();
  assert.equal(stats.timedOut, 1);
  assert.equal(typeof stats.eventLoop.delay, "number");
});

test("the request's signal reaches the upstream fetch: the client leaving aborts it", async () => {
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
  let reached!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  const upstream = createServer((req) => {
    reached();
    req.socket.once("close", upstreamClosed); // never answers: only the abort ends it
  }).listen(0, "127.0.0.1");
  await once(upstream, "listening");
  process.env.UPSTREAM_PORT = String((upstream.address() as AddressInfo).port);
  try {
    const { default: app } = await import("../../docs/examples/event-loop.ts");
    const controller = new AbortController();
    const pending = app.fetch(new Request("http://x/report/7", { signal: controller.signal }));
    await arrived;
    controller.abort();
    await closed;
    assert.equal((await pending).status, 499, "nginx's Client Closed Request: no error, nobody to answer");
  } finally {
    upstream.close();
    delete process.env.UPSTREAM_PORT;
  }
});
