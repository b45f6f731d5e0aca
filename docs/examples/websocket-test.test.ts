// docs/examples/websocket-test.test.ts: testing a WebSocket route in process.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "./chat/main.ts";

test("a member hears itself", async () => {
  const client = new TestClient(app);
  const ws = await client.websocket("/ws/lobby", { query: { name: "ann" } });
  assert.deepEqual(await ws.receiveJson(), { from: "server", text: "ann joined" });
  await ws.sendJson({ text: "hello" });
  assert.deepEqual(await ws.receiveJson(), { from: "ann", text: "hello" });
  await ws.close();
});
