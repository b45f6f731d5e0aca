// docs/websockets.md: the chat example, in process through TestClient.websocket.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "../../docs/examples/chat/main.ts";

const client = new TestClient(app);

test("members of a room hear each other; a bad message gets a hint; leaving is announced", async () => {
  const ann = await client.websocket("/ws/lobby", { query: { name: "ann" } });
  assert.deepEqual(await ann.receiveJson(), { from: "server", text: "ann joined" });
  const bob = await client.websocket("/ws/lobby", { query: { name: "bob" } });
  assert.deepEqual(await ann.receiveJson(), { from: "server", text: "bob joined" });
  assert.deepEqual(await bob.receiveJson(), { from: "server", text: "bob joined" });
  await ann.sendJson({ text: "hi bob" });
  assert.deepEqual(await bob.receiveJson(), { from: "ann", text: "hi bob" });
  assert.deepEqual(await ann.receiveJson(), { from: "ann", text: "hi bob" });
  await bob.send("not json");
  assert.deepEqual(await bob.receiveJson(), { from: "server", text: 'Send {"text": "..."}' });
  await bob.close();
  assert.deepEqual(await ann.receiveJson(), { from: "server", text: "bob left" });
  await ann.close();
});

test("rooms are apart", async () => {
  const a = await client.websocket("/ws/a", { query: { name: "a" } });
  const b = await client.websocket("/ws/b", { query: { name: "b" } });
  await a.receiveJson();
  await b.receiveJson();
  await a.sendJson({ text: "only for room a" });
  assert.deepEqual(await a.receiveJson(), { from: "a", text: "only for room a" });
  await b.sendJson({ text: "ping" });
  assert.deepEqual(await b.receiveJson(), { from: "b", text: "ping" });
  await a.close();
  await b.close();
});

test("no name: closed with 1008 and the error", async () => {
  const ws = await client.websocket("/ws/lobby");
  const closed = await ws.closed;
  assert.equal(closed.code, 1008);
  assert.deepEqual(JSON.parse(closed.reason).detail[0].loc, ["query", "name"]);
});

test("the page is served", async () => {
  const res = await client.get("/");
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(await res.text(), /new WebSocket/);
});
