// Blocking detection: synchronous work that holds the event loop past the threshold is
// reported with the route that ran it, before or after an await.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { Spry, sleep } from "spry";
import { setRequestFacts } from "../../src/common/request-facts.ts";
import { recordingLogger } from "../support/logger.ts";

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

test("a handler blocking before its first await is named, with the time it blocked", async () => {
  const logger = recordingLogger();
  const app = new Spry({ logger, blocking: { threshold: 100, trace: false } });
  app.get("/hash/{n}", () => {
    busy(150);
    return { done: true };
  });
  const res = await app.fetch(new Request("http://x/hash/1"));
  assert.equal(res.status, 200);
  const report = logger.entries.find((e) => e.level === "warn");
  assert.equal(report?.fields.route, "GET /hash/{n}");
  assert.ok((report?.fields.blockedMs as number) >= 140, "Date.now() has whole milliseconds: a 150 ms busy loop may measure 149");
  assert.match(report?.message ?? "", /GET \/hash\/\{n\} blocked the event loop for \d+ ms/);
  assert.equal(app.stats().blocked, 1);
});

test("with the callback trace, a block after an await is named exactly", async () => {
  const logger = recordingLogger();
  const app = new Spry({ logger, blocking: { threshold: 100, trace: true } });
  app.get("/after-await", async () => {
    await sleep(5);
    busy(150);
    return { done: true };
  });
  await app.startup();
  try {
    assert.equal((await app.fetch(new Request("http://x/after-await"))).status, 200);
    const report = logger.entries.find((e) => e.level === "warn" && e.fields.route === "GET /after-await");
    assert.ok(report, "the block after the await is named");
    assert.ok((report.fields.blockedMs as number) >= 140, "Date.now() has whole milliseconds: a 150 ms busy loop may measure 149");
  } finally {
    await app.shutdown();
  }
});

test("without the trace, a block after an await names the routes in flight as suspects", async () => {
  const logger = recordingLogger();
  const app = new Spry({ logger, blocking: { threshold: 100, trace: false } });
  app.get("/after-await", async () => {
    await sleep(5);
    busy(300);
    return { done: true };
  });
  await app.startup();
  try {
    assert.equal((await app.fetch(new Request("http://x/after-await"))).status, 200);
    // The monitor's next tick finds out how late it is.
    for (let i = 0; i < 100 && !logger.entries.some((e) => e.level === "warn"); i++) await sleep(10);
    const report = logger.entries.find((e) => e.level === "warn");
    assert.deepEqual(report?.fields.suspects, ["GET /after-await"]);
    assert.ok((report?.fields.blockedMs as number) >= 100);
  } finally {
    await app.shutdown();
  }
});

// The server's access log reads the clock as it takes the request (server/access-log.ts); the
// dispatcher times the same stretch from that reading rather than reading it again, so the
// server's own work before the app counts as the request's.
test("over node:http, the stretch is timed from the server's reading of the clock when it gave one", async () => {
  const logger = recordingLogger();
  const app = new Spry({ logger, blocking: { threshold: 100, trace: false } });
  app.get("/quick", () => ({ done: true }));
  const server = createServer((req, res) => {
    setRequestFacts(req, { requestId: "r-1", route: undefined, start: performance.now() });
    busy(150);
    app.handleNode(req, res);
  });
  try {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/quick`);
    assert.equal(res.status, 200);
    await res.text();
    const report = logger.entries.find((e) => e.level === "warn" && e.fields.route === "GET /quick");
    assert.ok(report, "the stretch includes the 150 ms before the app");
    assert.ok((report.fields.blockedMs as number) >= 140);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("threshold 0 turns reporting off", async () => {
  const logger = recordingLogger();
  const app = new Spry({ logger, blocking: { threshold: 0 } });
  app.get("/block", () => busy(150));
  await app.fetch(new Request("http://x/block"));
  assert.equal(logger.entries.filter((e) => e.level === "warn").length, 0);
  assert.equal(app.stats().blocked, 0);
});

test("app.stats() reports the event loop once the app has started", async () => {
  const app = new Spry({ logger: false });
  await app.startup();
  try {
    await sleep(120);
    const { eventLoop } = app.stats();
    assert.ok(eventLoop.heapUsed > 0);
    assert.ok(eventLoop.max >= eventLoop.p50);
  } finally {
    await app.shutdown();
  }
});
