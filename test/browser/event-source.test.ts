// Server-sent events as a browser takes them: Chromium's own EventSource, against a real
// server. The stream ends after a few events; the browser reconnects by itself, sends the
// last id it saw as Last-Event-ID, and the route, which declares that header, resumes there.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { z } from "zod";
import { header, ServerSentEvent, sleep, Spry } from "spry";
import { browserServer, TEST_TIMEOUT_MS, WAIT_MS, type BrowserServer } from "../support/chromium.ts";

const seen: (number | undefined)[] = [];
let closed = 0;
const app = new Spry({ logger: false });
app.get("/", () => new Response("<!doctype html><title>events</title>", { headers: { "content-type": "text/html" } }));
app.get("/ticks", { last_event_id: header(z.coerce.number().int().optional()) }, async function* ({ last_event_id }, { signal }) {
  seen.push(last_event_id);
  const from = (last_event_id ?? 0) + 1;
  try {
    // A short retry, so that the browser's reconnect comes at once.
    yield new ServerSentEvent({ retry: 50, comment: "hello" });
    for (let id = from; id < from + 3; id++) {
      yield new ServerSentEvent({ id, event: "tick", data: { id } });
      await sleep(10, { signal });
    }
  } finally {
    closed++;
  }
}, { stream: "sse" });

let session: BrowserServer;
before(async () => (session = await browserServer(app)));
after(() => session?.close());

test("EventSource receives the events, reconnects, and resumes from the last id", { timeout: TEST_TIMEOUT_MS }, async () => {
  const page = await session.browser.newPage();
  await page.goto(`${session.url}/`, { timeout: WAIT_MS });
  const received = await page.evaluate(
    (wait) =>
      new Promise<{ ids: string[]; data: unknown[]; opens: number }>((resolve, reject) => {
        const source = new EventSource("/ticks");
        const ids: string[] = [];
        const data: unknown[] = [];
        let opens = 0;
        source.onopen = () => opens++;
        source.addEventListener("tick", (event) => {
          const message = event as MessageEvent<string>;
          ids.push(message.lastEventId);
          data.push(JSON.parse(message.data));
          if (ids.length === 9) {
            source.close();
            resolve({ ids, data, opens });
          }
        });
        setTimeout(() => reject(new Error(`only ${ids.length} events: ${ids.join(",")}`)), wait);
      }),
    WAIT_MS,
  );
  assert.deepEqual(received.ids, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.deepEqual(received.data, [1, 2, 3, 4, 5, 6, 7, 8, 9].map((id) => ({ id })));
  assert.equal(received.opens, 3);
  // The first connection had no id to send back; each reconnect sent the last one it saw.
  assert.deepEqual(seen.slice(0, 3), [undefined, 3, 6]);
  await page.close();
  assert.ok(closed >= 3);
});
