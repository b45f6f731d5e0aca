// Overload (docs/reliability.md rows 28 and 29): a concurrency limit and load shedding answer 503 with
// Retry-After at once instead of queueing, and the app serves again once the pressure is gone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { Spry, sleep } from "spry";
import { serve } from "spry/server";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("the concurrency limit", (connect) => {
  test("one request over maxConcurrency is answered 503 at once; capacity comes back", async () => {
    const app = new Spry({ logger: false, overload: { maxConcurrency: 2, retryAfter: 3 } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    app.get("/held", async () => {
      entered++;
      await gate;
      return { ok: true };
    });
    const client = connect(app);
    const held = [client.get("/held"), client.get("/held")];
    while (entered < 2) await sleep(1);
    const refused = await client.get("/held");
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "3");
    assert.deepEqual(await refused.json(), { detail: "Too many requests in flight" });
    assert.equal(entered, 2, "the refused request never reached the handler");
    assert.equal(app.stats().inFlight, 2);
    release();
    for (const res of await Promise.all(held)) assert.equal(res.status, 200);
    assert.equal((await client.get("/held")).status, 200);
    assert.equal(app.stats().rejected, 1);
    assert.equal(app.stats().inFlight, 0);
  });
});

forEachTransport("requests in flight", (connect) => {
  test("a synchronous handler counts itself, as an async one does; neither once answered", async () => {
    const app = new Spry({ logger: false, overload: { maxConcurrency: 1 } });
    app.get("/sync", () => ({ inFlight: app.stats().inFlight }));
    app.get("/async", async () => {
      await sleep(1);
      return { inFlight: app.stats().inFlight };
    });
    const client = connect(app);
    assert.deepEqual(await (await client.get("/sync")).json(), { inFlight: 1 });
    assert.deepEqual(await (await client.get("/async")).json(), { inFlight: 1 });
    assert.equal(app.stats().inFlight, 0);
    assert.equal((await client.get("/sync")).status, 200, "the limit of 1 is not taken by an answered request");
  });
});

test("overload limits must be positive numbers", () => {
  assert.throws(() => new Spry({ logger: false, overload: { maxConcurrency: 0 } }), /maxConcurrency/);
  assert.throws(() => new Spry({ logger: false, overload: { maxEventLoopDelay: -1 } }), /maxEventLoopDelay/);
});

test("heap over maxHeapUsed: new requests get 503 + Retry-After", async () => {
  const app = new Spry({ logger: false, overload: { maxHeapUsed: 1 } });
  app.get("/", () => "ok");
  await app.startup();
  try {
    const res = await app.fetch(new Request("http://x/"));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.deepEqual(await res.json(), { detail: "Server overloaded" });
    assert.equal(app.stats().shed, 1);
  } finally {
    await app.shutdown();
  }
});

test("a handler blocking the loop for 1 s: reported by route, requests that waited behind it get 503 until the loop recovers", async () => {
  const logged: { fields: Record<string, unknown>; message: string | undefined }[] = [];
  const warn = (fields: object, message?: string) => logged.push({ fields: fields as Record<string, unknown>, message });
  const logger = { info() {}, debug() {}, error() {}, warn };
  const app = new Spry({ logger, overload: { maxEventLoopDelay: 200 } });
  let waiting!: Socket;
  app.get("/block", () => {
    // This request reaches the server's socket while the loop is blocked, as it would from
    // another client (the test shares the server's loop, so it cannot send one meanwhile).
    waiting.write("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    const end = Date.now() + 1000;
    while (Date.now() < end);
    return { blocked: true };
  });
  app.get("/fast", () => ({ ok: true }));
  const running = await serve(app, { port: 0, handleSignals: false });
  try {
    waiting = connect(Number(new URL(running.url).port), "127.0.0.1");
    await once(waiting, "connect");
    let answer = "";
    waiting.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    assert.equal((await fetch(`${running.url}/block`)).status, 200);
    for (let i = 0; i < 500 && !answer.includes("\r\n\r\n"); i++) await sleep(10);
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /\r\nretry-after: 1\r\n/i);
    const report = logged.find((entry) => entry.fields.route === "GET /block");
    assert.ok(report, "the block is reported with its route");
    assert.ok((report.fields.blockedMs as number) >= 990, "Date.now() has whole milliseconds");
    // Recovered: a later request is served.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      await sleep(20);
      status = (await fetch(`${running.url}/fast`)).status;
    }
    assert.equal(status, 200);
    assert.ok(app.stats().shed >= 1);
  } finally {
    waiting?.destroy();
    await running.close();
  }
});
