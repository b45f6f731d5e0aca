// docs/websockets.md: the forEach() example, in process through TestClient.websocket.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "../../docs/examples/websocket-foreach.ts";

const client = new TestClient(app);

test("the echo sends back each message, text and bytes", async () => {
  const ws = await client.websocket("/echo");
  await ws.send("hello");
  assert.equal(await ws.receiveText(), "hello");
  await ws.send(new Uint8Array([1, 2]));
  assert.deepEqual([...(await ws.receiveBytes())], [1, 2]);
  assert.deepEqual(await ws.close(), { code: 1000, reason: "" });
});

test("the sum adds each number in order; anything else closes with 1003", async (t) => {
  const logged = t.mock.method(console, "log", () => {});
  const ws = await client.websocket("/sum");
  for (const n of ["1", "2", "39"]) await ws.send(n);
  assert.deepEqual([await ws.receiveJson(), await ws.receiveJson(), await ws.receiveJson()], [{ total: 1 }, { total: 3 }, { total: 42 }]);
  await ws.send("many");
  assert.deepEqual(await ws.closed, { code: 1003, reason: "Send a number" });
  await t.waitFor(() => assert.equal(logged.mock.callCount(), 1));
  assert.deepEqual(logged.mock.calls[0]!.arguments, ["the client left at 42"]);
});
