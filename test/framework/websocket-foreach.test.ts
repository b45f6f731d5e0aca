// ws.forEach(), the callback idiom beside `for await`, in process through TestClient.websocket:
// order and kinds, the end at the close (dependencies' teardown after it), back-pressure from a
// returned promise, a callback that throws or rejects (1011 and the handler's log), and the
// errors of mixing it with another reader. test/runtimes/websockets.test.ts runs it on node:http,
// Bun and Deno, test/server/websocket.test.ts against ws's flow control and send buffer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { depends, Spry, WebSocketDisconnect } from "spry";
import { TestClient } from "spry/testing";
import { recordingLogger } from "../support/logger.ts";
import { eventually } from "../support/server.ts";

const events: string[] = [];
const session = depends({}, async function* () {
  events.push("open");
  try {
    yield "session";
  } finally {
    events.push("torn down");
  }
});

const logger = recordingLogger();
const app = new Spry({ logger, websocket: { receiveQueueLimit: 4 } });
app.websocket("/echo", { s: session }, async (_, ws) => {
  await ws.forEach((message) => {
    events.push(typeof message === "string" ? `text ${message}` : `bytes ${message.byteLength}`);
    return ws.send(typeof message === "string" ? `echo: ${message}` : message);
  });
  // forEach() resolves on the close, as a loop ends: the handler goes on after it.
  events.push(`ended ${(await ws.closed).code}`);
});
// One message at a time through an async callback: how many ran at once, in what order.
const slow = { running: 0, most: 0, order: [] as string[] };
app.websocket("/slow", async (_, ws) => {
  await ws.forEach(async (message) => {
    slow.most = Math.max(slow.most, ++slow.running);
    await delay(5);
    slow.order.push(String(message));
    slow.running--;
  });
});
app.websocket("/fails", async (_, ws) => {
  await ws.forEach((message) => {
    if (message === "throw") throw new Error("a synchronous callback bug");
    if (message === "reject") return Promise.reject(new Error("an asynchronous callback bug"));
    return ws.send(`ok ${String(message)}`);
  });
});
// What forEach() is handed, and whether it came within the forEach() call itself.
const early = { got: [] as string[], withinTheCall: 0 };
let sentEarly!: () => void;
const earlySent = new Promise<void>((resolve) => (sentEarly = resolve));
app.websocket("/early", async (_, ws) => {
  await ws.accept();
  await ws.send("ready");
  // Two messages have arrived before forEach() is called; a third comes after.
  await earlySent;
  let calling = true;
  const reading = ws.forEach((message) => {
    if (calling) early.withinTheCall++;
    early.got.push(String(message));
    if (early.got.length === 2) void ws.send("read two");
  });
  calling = false;
  await reading;
});
// A close from within the callback: the messages before it are delivered, then forEach() ends.
app.websocket("/bye", async (_, ws) => {
  await ws.forEach((message) => {
    if (message === "bye") ws.close(4003, "bye");
    else return ws.send(`got ${String(message)}`);
  });
  await ws.send("after the close").catch((error: unknown) => events.push(`send after: ${(error as WebSocketDisconnect).code}`));
});
// After the close, forEach() delivers what was queued before it, then resolves.
const late: string[] = [];
app.websocket("/late", async (_, ws) => {
  await ws.accept();
  await ws.closed;
  await ws.forEach((message) => void late.push(String(message)));
  late.push("resolved");
});
// Every way of mixing forEach() with another reader, each refused with its own error.
const mixing: string[] = [];
app.websocket("/mixed", async (_, ws) => {
  await ws.accept();
  const message = (error: unknown) => void mixing.push((error as Error).message);
  const reading = ws.forEach(() => {});
  await ws.forEach(() => {}).catch(message);
  await ws.receive().catch(message);
  await ws.receiveText().catch(message);
  try {
    for await (const m of ws) void m;
  } catch (error) {
    message(error);
  }
  await ws.send("refused");
  await reading;
  // Once it has ended, the socket may be read again (here: it is closed, so the loop just ends).
  for await (const m of ws) void m;
  mixing.push("--");
});
app.websocket("/loop-first", async (_, ws) => {
  await ws.accept();
  const message = (error: unknown) => void mixing.push((error as Error).message);
  for await (const m of ws) {
    await ws.forEach(() => {}).catch(message);
    await ws.send(`loop ${String(m)}`);
    break;
  }
  // The loop broke off: forEach() may read now.
  const waiting = ws.receive();
  await ws.forEach(() => {}).catch(message);
  await ws.send(`waiting ${String(await waiting)}`);
  await ws.forEach((m) => ws.send(`each ${String(m)}`));
});
const client = new TestClient(app);

test("every message in order, text as a string and bytes as bytes; the close ends it; teardown after", async () => {
  events.length = 0;
  const ws = await client.websocket("/echo");
  await ws.send("a");
  assert.equal(await ws.receiveText(), "echo: a");
  await ws.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await ws.receiveBytes())], [1, 2, 3]);
  await ws.send("b");
  assert.equal(await ws.receiveText(), "echo: b");
  await ws.close(4002, "leaving");
  assert.ok(await eventually(() => events.includes("torn down")));
  assert.deepEqual(events, ["open", "text a", "bytes 3", "text b", "ended 4002", "torn down"]);
});

test("a promise the callback returns holds the next message back until it settles", async () => {
  const ws = await client.websocket("/slow");
  const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
  // 20 at once, five times the queue's limit: the reading pauses meanwhile, none is lost.
  for (const message of sent) await ws.send(message);
  assert.ok(await eventually(() => slow.order.length === 20), `read ${slow.order.length}`);
  assert.deepEqual(slow.order, sent);
  assert.equal(slow.most, 1);
  await ws.close();
});

test("a callback that throws, or whose promise rejects: closed 1011, logged as the handler's error", async () => {
  for (const [failure, text] of [["throw", "a synchronous callback bug"], ["reject", "an asynchronous callback bug"]] as const) {
    const ws = await client.websocket("/fails");
    await ws.send("first");
    assert.equal(await ws.receiveText(), "ok first");
    await ws.send(failure);
    await ws.send("never read");
    assert.deepEqual(await ws.closed, { code: 1011, reason: "Internal Server Error" });
    const logged = logger.entries.filter((e) => e.level === "error" && (e.fields.err as Error).message === text);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.fields.route, "GET /fails");
    assert.equal(logged[0]!.message, "Unhandled error in a WebSocket handler");
  }
});

test("messages queued before forEach() come first, in order, and never within the call itself", async () => {
  const ws = await client.websocket("/early");
  assert.equal(await ws.receiveText(), "ready");
  await ws.send("one");
  await ws.send("two");
  await delay(20);
  sentEarly();
  assert.equal(await ws.receiveText(), "read two");
  await ws.send("three");
  assert.ok(await eventually(() => early.got.length === 3));
  assert.deepEqual(early, { got: ["one", "two", "three"], withinTheCall: 0 });
  await ws.close();
});

test("a close from within the callback ends forEach(); a send after it throws the disconnect", async () => {
  events.length = 0;
  const ws = await client.websocket("/bye");
  await ws.send("x");
  assert.equal(await ws.receiveText(), "got x");
  await ws.send("bye");
  assert.deepEqual(await ws.closed, { code: 4003, reason: "bye" });
  assert.ok(await eventually(() => events.length === 1));
  assert.deepEqual(events, ["send after: 4003"]);
});

test("after the close, forEach() delivers what came before it, then resolves", async () => {
  const ws = await client.websocket("/late");
  await ws.send("last words");
  await delay(20);
  await ws.close();
  assert.ok(await eventually(() => late.includes("resolved")));
  assert.deepEqual(late, ["last words", "resolved"]);
});

test("mixed with another reader, forEach() and that reader refuse each other with a clear error", async () => {
  mixing.length = 0;
  const ws = await client.websocket("/mixed");
  assert.equal(await ws.receiveText(), "refused");
  await ws.close();
  assert.ok(await eventually(() => mixing.includes("--")));
  assert.deepEqual(mixing, [
    "Another forEach() is already reading this WebSocket's messages",
    "forEach() is already reading this WebSocket's messages: receive() cannot read them too",
    "forEach() is already reading this WebSocket's messages: receive() cannot read them too",
    "forEach() is already reading this WebSocket's messages: a for await loop cannot read them too",
    "--",
  ]);
  mixing.length = 0;
  const first = await client.websocket("/loop-first");
  await first.send("1");
  assert.equal(await first.receiveText(), "loop 1");
  await first.send("2");
  assert.equal(await first.receiveText(), "waiting 2");
  await first.send("3");
  assert.equal(await first.receiveText(), "each 3");
  await first.close();
  assert.deepEqual(mixing, [
    "A for await loop is already reading this WebSocket's messages: forEach() cannot read them too",
    "receive() is already reading this WebSocket's messages: forEach() cannot read them too",
  ]);
});
