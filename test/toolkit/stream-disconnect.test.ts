// docs/reliability.md rows 25 and 43: a client that resets the connection while a response
// streams, for a plain streamed Response, server-sent events and JSON Lines. Writing stops, the
// source is closed (a generator's `finally` runs, its signal aborts), no EPIPE reaches the
// process, and after 1,000 repeats nothing is left open.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { ServerSentEvent, sleep, Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { eventually, head, TestServer } from "../support/server.ts";

const counts = { started: 0, finished: 0, aborted: 0, pulls: 0, cancelled: 0, pullsAfterCancel: 0 };
const logger = recordingLogger();
const app = new Spry({ logger });

app.get("/response", () => {
  let cancelled = false;
  counts.started++;
  return new Response(new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (cancelled) counts.pullsAfterCancel++;
      counts.pulls++;
      await delay(2);
      controller.enqueue(new Uint8Array(16 * 1024));
    },
    cancel() {
      cancelled = true;
      counts.cancelled++;
    },
  }));
});

async function* forever(signal: AbortSignal, item: (n: number) => unknown): AsyncGenerator<unknown> {
  counts.started++;
  signal.addEventListener("abort", () => counts.aborted++, { once: true });
  try {
    for (let n = 0; ; n++) {
      yield item(n);
      await sleep(5, { signal });
    }
  } finally {
    counts.finished++;
  }
}

app.get("/events", async function* (_, { signal }) {
  yield* forever(signal, (n) => new ServerSentEvent({ id: n, data: { n } }));
}, { stream: "sse" });
app.get("/lines", async function* (_, { signal }) {
  yield* forever(signal, (n) => ({ n }));
});

let server: TestServer;
before(async () => (server = await TestServer.start(app)));
after(() => server.close());

async function leaveMidStream(path: string): Promise<void> {
  const connection = await server.connect();
  let received = 0;
  const enough = new Promise<void>((resolve) => {
    connection.socket.on("data", (chunk: string) => {
      received += chunk.length;
      // The head and at least one item of the body.
      if (received > 200 || /\n\n[\s\S]*\n/.test(chunk)) resolve();
    });
  });
  connection.write(head(`GET ${path} HTTP/1.1`, "Host: testserver"));
  await enough;
  connection.socket.resetAndDestroy();
}

const openFiles = () => readdirSync("/proc/self/fd").length;
const settled = () => eventually(async () => (await server.connections()) === 0 && counts.finished + counts.cancelled === counts.started);

for (const path of ["/response", "/events", "/lines"]) {
  test(`${path}: a client that resets mid-stream stops the writing and closes the source`, async () => {
    const before = { ...counts };
    await leaveMidStream(path);
    assert.ok(await settled(), `source not closed: ${JSON.stringify(counts)}`);
    if (path === "/response") {
      assert.equal(counts.cancelled, before.cancelled + 1);
      const pulls = counts.pulls;
      await delay(50);
      assert.equal(counts.pulls, pulls, "the source was still read after the client left");
      assert.equal(counts.pullsAfterCancel, 0);
    } else {
      assert.equal(counts.finished, before.finished + 1, "the generator's finally did not run");
      assert.equal(counts.aborted, before.aborted + 1, "the handler's signal did not abort");
    }
  });
}

test("1,000 resets of each kind: sockets, descriptors and sources back to baseline; nothing logged; still serving", async () => {
  await settled();
  const baseline = { files: openFiles(), resources: process.getActiveResourcesInfo().length };
  for (let i = 0; i < 1000; i++) {
    await leaveMidStream("/events");
    await leaveMidStream("/lines");
    await leaveMidStream("/response");
  }
  assert.ok(await settled(), `sources left open: ${JSON.stringify(counts)}`);
  assert.equal(counts.aborted, counts.finished, "every generator's signal aborted");
  assert.ok(await eventually(() => openFiles() <= baseline.files), `descriptors ${openFiles()} > ${baseline.files}`);
  assert.ok(await eventually(() => process.getActiveResourcesInfo().length <= baseline.resources + 1), `resources ${process.getActiveResourcesInfo()}`);
  assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
  const res = await server.get("/openapi.json");
  assert.equal(res.status, 200);
});
