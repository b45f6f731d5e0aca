// WebSockets over a real node:http server, with `ws` as the client: the handshake, the limits
// and docs/reliability.md rows 38, 39, 40, 44 and 45 (41 is in test/framework/websocket.test.ts,
// 42 in websocket-shutdown.test.ts).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { connect, type NetConnectOpts, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { WebSocket as Client } from "ws";
import { z } from "zod";
import { depends, Spry, WebSocketDisconnect, type WebSocket } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { eventually, head, TestServer } from "../support/server.ts";

const events = { opened: 0, tornDown: 0, aborted: 0, received: 0, sendFailed: 0 };
// What each of three senders sharing one socket got in the end, and in how long.
const shared = { outcomes: [] as string[], waitedMs: [] as number[] };
const resource = depends({}, async function* () {
  events.opened++;
  try {
    yield "resource";
  } finally {
    events.tornDown++;
  }
});

const logger = recordingLogger();
const app = new Spry({ logger, websocket: { pingInterval: 0 } });
app.websocket("/echo/{room}", { room: z.string() }, async ({ room }, ws) => {
  await ws.accept({ subprotocol: ws.protocols[0] });
  for await (const message of ws) await ws.send(typeof message === "string" ? `${room}: ${message}` : message);
});
// Each message back to its sender as it came, and on to every other socket here.
const mirrors = new Set<WebSocket>();
app.websocket("/mirror", async (_, ws) => {
  mirrors.add(ws);
  try {
    for await (const message of ws) for (const peer of mirrors) await peer.send(message);
  } finally {
    mirrors.delete(ws);
  }
});
app.websocket("/small", async (_, ws) => {
  for await (const message of ws) await ws.send(String(message.length));
}, { maxMessageSize: 1024 });
app.websocket("/deflate", async (_, ws) => {
  for await (const message of ws) await ws.send(String(message.length));
}, { maxMessageSize: 64 * 1024, perMessageDeflate: true });
app.websocket("/deflate-echo", async (_, ws) => {
  for await (const message of ws) await ws.send(message);
}, { perMessageDeflate: true });
app.websocket("/slow-reader", async (_, ws) => {
  // Reads one message every 50 ms at first: meanwhile a flood waits in the client's socket, not
  // in the server's memory. Then it reads as fast as it can, so the test ends quickly.
  for await (const message of ws) {
    void message;
    if (++events.received <= 10) await delay(50);
  }
});
app.websocket("/firehose", { r: resource }, async (_, ws) => {
  ws.signal.addEventListener("abort", () => events.aborted++);
  const chunk = "x".repeat(64 * 1024);
  try {
    for (;;) await ws.send(chunk);
  } catch (error) {
    if (error instanceof WebSocketDisconnect) events.sendFailed++;
  }
}, { sendBufferLimit: 256 * 1024, sendTimeout: 300 });
app.websocket("/firehose-shared", async (_, ws) => {
  const chunk = "x".repeat(64 * 1024);
  await Promise.all([0, 1, 2].map(async () => {
    let started = performance.now();
    try {
      for (;;) {
        started = performance.now();
        await ws.send(chunk);
      }
    } catch (error) {
      shared.waitedMs.push(performance.now() - started);
      shared.outcomes.push(error instanceof WebSocketDisconnect ? String(error.code) : String(error));
    }
  }));
}, { sendBufferLimit: 256 * 1024, sendTimeout: 300 });
// A broadcast-style sender that never waits for send(): 2,000 messages of 64 KiB, 128 MiB if
// nothing stopped them.
const flood = { refused: 0, queued: 0, ms: 0, done: false };
app.websocket("/flood", async (_, ws) => {
  await ws.accept();
  const chunk = "x".repeat(64 * 1024);
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 2000; i++) sends.push(ws.send(chunk));
  const results = await Promise.allSettled(sends);
  flood.ms = performance.now() - started;
  flood.refused = results.filter((r) => r.status === "rejected" && r.reason instanceof WebSocketDisconnect && r.reason.code === 1008).length;
  flood.queued = results.length - flood.refused;
  flood.done = true;
}, { sendBufferLimit: 256 * 1024, sendTimeout: 30_000 });
// Sends nobody awaits, after the client has gone.
const gone = { sent: false };
app.websocket("/gone", async (_, ws) => {
  await ws.accept();
  for await (const message of ws) void message;
  void ws.send("after the close");
  void ws.sendJson({ also: "after the close" });
  gone.sent = true;
});
app.websocket("/pinged", { r: resource }, async (_, ws) => {
  ws.signal.addEventListener("abort", () => events.aborted++);
  await ws.accept();
  await new Promise((resolve) => ws.signal.addEventListener("abort", resolve));
}, { pingInterval: 50, pingTimeout: 100 });
// ws.forEach() in place of the loops above: an async callback as slow as /slow-reader's loop,
// and a callback whose sends meet a client that never reads.
const each = { received: 0, calls: 0, outcome: "", waitedMs: 0 };
app.websocket("/each-slow-reader", (_, ws) => ws.forEach(async () => {
  if (++each.received <= 10) await delay(50);
}));
app.websocket("/each-firehose", async (_, ws) => {
  const chunk = "x".repeat(64 * 1024);
  let started = 0;
  try {
    await ws.forEach(() => {
      each.calls++;
      started = performance.now();
      return ws.send(chunk);
    });
    each.outcome = "resolved";
  } catch (error) {
    each.outcome = error instanceof WebSocketDisconnect ? String(error.code) : String(error);
  }
  each.waitedMs = performance.now() - started;
}, { sendBufferLimit: 256 * 1024, sendTimeout: 300 });
app.websocket("/hold", { r: resource }, async (_, ws) => {
  await ws.accept();
  for await (const message of ws) void message;
});

let server: TestServer;
before(async () => (server = await TestServer.start(app)));
after(() => server.close());

const url = (path: string) => `ws://127.0.0.1:${server.port}${path}`;

function open(path: string, options: ConstructorParameters<typeof Client>[2] = {}, protocols?: string[]): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client(url(path), protocols, options);
    client.once("open", () => resolve(client));
    client.once("error", reject);
  });
}

function closed(client: Client): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}

function next(client: Client): Promise<string> {
  return new Promise((resolve) => client.once("message", (data) => resolve(data.toString())));
}

test("echo over node:http: inputs, a chosen subprotocol, text and binary", async () => {
  const client = await open("/echo/lobby", {}, ["chat.v1", "chat.v2"]);
  assert.equal(client.protocol, "chat.v1");
  client.send("hello");
  assert.equal(await next(client), "lobby: hello");
  const bytes = new Promise<Buffer>((resolve) => client.once("message", (data, isBinary) => (assert.ok(isBinary), resolve(data as Buffer))));
  client.send(Buffer.from([1, 2, 3]));
  assert.deepEqual([...(await bytes)], [1, 2, 3]);
  client.close(1000);
  assert.equal((await closed(client)).code, 1000);
});

test("a text message sent back or on to other sockets arrives as the same text, multi-byte UTF-8 included; bytes stay bytes", async () => {
  const [a, b] = await Promise.all([open("/mirror"), open("/mirror")]);
  const kinds = (client: Client) => new Promise<[string, boolean]>((resolve) => client.once("message", (data, isBinary) => resolve([data.toString(), isBinary])));
  for (const text of ["héllo ✓ 😀", "héllo ✓ 😀", "plain", ""]) {
    const got = Promise.all([kinds(a), kinds(b)]);
    a.send(text);
    assert.deepEqual(await got, [[text, false], [text, false]]);
  }
  // The same bytes as the last text, sent as binary: binary they come back.
  const got = Promise.all([kinds(a), kinds(b)]);
  a.send(Buffer.from("plain"));
  assert.deepEqual(await got, [["plain", true], ["plain", true]]);
  a.close();
  b.close();
});

test("a handshake to an unknown path is an HTTP 404; a plain GET there never gets a 200", async () => {
  const { response } = await server.send(head("GET /nowhere HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  assert.equal(response.status, 404);
  const plain = await server.get("/echo/lobby");
  assert.equal(plain.status, 404);
});

test("a cross-site page is refused with 403 (same-origin by default)", async () => {
  await assert.rejects(open("/echo/lobby", { origin: "https://evil.example" }), /Unexpected server response: 403/);
  const ok = await open("/echo/lobby", { origin: `http://127.0.0.1:${server.port}` });
  ok.close();
});

test("row 38: a message over the limit closes 1009; a malformed frame 1002; other connections unaffected", async () => {
  const bystander = await open("/echo/b");
  const big = await open("/small");
  big.send("x".repeat(2000));
  assert.equal((await closed(big)).code, 1009);
  const raw = await server.connect();
  raw.write(head("GET /echo/raw HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  await eventually(() => raw.unread.includes("101 Switching Protocols"));
  // Reserved bits set, unmasked, an unknown opcode: a frame no client may send.
  raw.write(new Uint8Array([0xf3, 0x05, 1, 2, 3, 4, 5]));
  await raw.closedByServer();
  const frames = Buffer.from(raw.unread.slice(raw.unread.indexOf("\r\n\r\n") + 4), "latin1");
  assert.equal(frames[0], 0x88, "a close frame");
  assert.equal(frames.readUInt16BE(2), 1002);
  bystander.send("still here");
  assert.equal(await next(bystander), "b: still here");
  bystander.close();
});

test("per-message-deflate when asked: inflation held to the message limit (1009)", async () => {
  const client = await open("/deflate", { perMessageDeflate: true });
  assert.match(String(client.extensions), /permessage-deflate/);
  client.send("a".repeat(60 * 1024));
  assert.equal(await next(client), String(60 * 1024));
  // 10 MB of zeros deflates to a few KB on the wire; inflated it is far over 64 KiB.
  client.send(Buffer.alloc(10 * 1024 * 1024));
  assert.equal((await closed(client)).code, 1009);
  const plain = await open("/echo/x");
  assert.equal(plain.extensions, "", "off by default");
  plain.close();
});

test("per-message-deflate: what the server sends back is compressed too, text and binary", async () => {
  let socket: Socket | undefined;
  // The client's own socket, to count the bytes that came on the wire.
  const createConnection = ((options: NetConnectOpts) => (socket = connect(options))) as typeof connect;
  const client = await open("/deflate-echo", { perMessageDeflate: true, createConnection });
  for (const message of ["a".repeat(60 * 1024), Buffer.alloc(60 * 1024, 7)]) {
    const received = socket!.bytesRead;
    const echoed = new Promise<Buffer>((resolve) => client.once("message", (data) => resolve(data as Buffer)));
    client.send(message);
    assert.deepEqual(await echoed, Buffer.from(message));
    const onTheWire = socket!.bytesRead - received;
    assert.ok(onTheWire < 4096, `${onTheWire} bytes on the wire for a 60 KiB message`);
  }
  client.close();
});

test("row 44: a flood from one client waits in its socket; the server's memory stays flat", async () => {
  const client = await open("/slow-reader");
  const message = "y".repeat(16 * 1024);
  for (let i = 0; i < 2000; i++) client.send(message);
  await delay(300);
  // 32 MB sent, a handful read. The server stopped reading once 64 messages waited for the
  // handler, so TCP's flow control holds the rest back in the sender (the client, which runs in
  // this process too: that is why its buffer, not the server's memory, is what is measured).
  assert.ok(events.received <= 10, `read ${events.received}`);
  assert.ok(client.bufferedAmount > 16 * 1024 * 1024, `only ${client.bufferedAmount >> 20} MB held back by the client`);
  client.close();
  assert.equal((await closed(client)).code, 1005);
  assert.equal(events.received, 2000, "every message was read once the handler caught up");
});

test("row 44 through ws.forEach(): an async callback that falls behind pauses the reading as a loop does", async () => {
  const client = await open("/each-slow-reader");
  const message = "y".repeat(16 * 1024);
  for (let i = 0; i < 2000; i++) client.send(message);
  await delay(300);
  assert.ok(each.received <= 10, `read ${each.received}`);
  assert.ok(client.bufferedAmount > 16 * 1024 * 1024, `only ${client.bufferedAmount >> 20} MB held back by the client`);
  client.close();
  assert.equal((await closed(client)).code, 1005);
  assert.equal(each.received, 2000, "every message was read once the callback caught up");
});

test("row 39 through ws.forEach(): a callback returning send() waits on the send buffer, then forEach() rejects with the 1008", async () => {
  const client = await open("/each-firehose");
  // The client sends on but never reads: the server's sends fill the socket, then its buffer.
  (client as unknown as { _socket: { pause(): void } })._socket.pause();
  for (let i = 0; i < 1000; i++) client.send("more");
  assert.ok(await eventually(() => each.outcome !== ""), "forEach() never settled");
  // The last send's wait ran to the send timeout (300 ms): messages that kept coming meanwhile
  // were held back. Had forEach() not waited, they would have gone past twice the limit at once,
  // closing the socket with the send still unawaited, and forEach() would have resolved.
  assert.equal(each.outcome, "1008");
  assert.ok(each.waitedMs >= 250, `the last send waited ${each.waitedMs.toFixed(0)} ms`);
  // Bounded by the kernel's socket buffers and the 256 KiB limit, not by the 1,000 messages.
  assert.ok(each.calls < 256, `${each.calls} sends of 64 KiB to a client that never read`);
  client.terminate();
});

test("row 39: a client that never reads: the send waits, then the socket closes; teardown runs", async () => {
  const before = { ...events };
  const raw = await server.connect();
  // Never read: the kernel buffers fill, then the server's send buffer, then the send times out.
  raw.socket.pause();
  raw.write(head("GET /firehose HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  assert.ok(await eventually(() => events.sendFailed > before.sendFailed), "the send never gave up");
  assert.ok(await eventually(() => events.tornDown > before.tornDown), "teardown did not run");
  assert.equal(events.aborted, before.aborted + 1);
  raw.destroy();
});

test("row 39: senders sharing a socket that is never read all wait, then all get 1008 at the send timeout", async () => {
  const raw = await server.connect();
  raw.socket.pause();
  raw.write(head("GET /firehose-shared HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  assert.ok(await eventually(() => shared.outcomes.length === 3), `senders released: ${shared.outcomes.length} of 3`);
  assert.deepEqual(shared.outcomes, ["1008", "1008", "1008"]);
  // Each was held by the wait for the reader: the timeout (300 ms), not an instant failure.
  for (const waited of shared.waitedMs) assert.ok(waited >= 250, `a sender waited ${waited.toFixed(0)} ms`);
  raw.destroy();
});

test("row 39: senders that never wait for send(): past twice the send buffer limit the socket closes with 1008 at once", async () => {
  const raw = await server.connect();
  raw.socket.pause();
  raw.write(head("GET /flood HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  assert.ok(await eventually(() => flood.done), "the sends never settled");
  // Refused at the cap, not after the 30 s send timeout, and most never queued: what is queued
  // is what the kernel's socket buffers took plus at most twice the 256 KiB limit.
  assert.ok(flood.ms < 10_000, `settled after ${flood.ms.toFixed(0)} ms`);
  assert.ok(flood.refused >= 1500, `refused ${flood.refused}, queued ${flood.queued}`);
  raw.destroy();
});

test("a send nobody awaits on a socket that has closed is no unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", record);
  try {
    const client = await open("/gone");
    client.close();
    await closed(client);
    assert.ok(await eventually(() => gone.sent));
    await delay(50);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", record);
  }
});

test("row 40: a peer that never answers pings is dropped; its signal aborts and teardown runs", async () => {
  const before = { ...events };
  const client = await open("/pinged", { autoPong: false });
  const end = await closed(client);
  assert.equal(end.code, 1006);
  assert.ok(await eventually(() => events.tornDown > before.tornDown));
  assert.equal(events.aborted, before.aborted + 1);
  // One that answers stays.
  const alive = await open("/pinged");
  await delay(400);
  assert.equal(alive.readyState, Client.OPEN);
  alive.close();
});

test("row 45: 1,000 connect/disconnect repeats: sockets, descriptors and teardowns back to baseline", async () => {
  assert.ok(await eventually(async () => (await server.connections()) === 0), `connections open before: ${await server.connections()}`);
  const baseline = { files: readdirSync("/proc/self/fd").length, opened: events.opened, tornDown: events.tornDown };
  for (let i = 0; i < 1000; i++) {
    const client = await open("/hold");
    if (i % 2 === 0) client.terminate();
    else {
      client.close();
      await closed(client);
    }
  }
  assert.ok(await eventually(async () => (await server.connections()) === 0), `connections left open: ${await server.connections()}`);
  assert.ok(await eventually(() => events.tornDown - baseline.tornDown === 1000), `teardowns ${events.tornDown - baseline.tornDown}`);
  assert.equal(events.opened - baseline.opened, 1000);
  assert.ok(await eventually(() => readdirSync("/proc/self/fd").length <= baseline.files), "descriptors left open");
  assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
});
