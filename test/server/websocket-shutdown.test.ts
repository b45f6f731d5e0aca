// docs/reliability.md row 42: a graceful stop with WebSockets open. Each is told 1001 (going
// away) at once; one that never answers the closing handshake is dropped at the end of the
// grace period, and the stop finishes then, not later.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket as Client } from "ws";
import { Spry } from "spry";
import { head, TestServer } from "../support/server.ts";

test("row 42: open sockets closed with 1001 within the grace period; their handlers' finally runs", async () => {
  let finished = 0;
  const app = new Spry({ logger: false, websocket: { pingInterval: 0 } });
  app.websocket("/hold", async (_, ws) => {
    await ws.accept();
    try {
      for await (const message of ws) void message;
    } finally {
      finished++;
    }
  });
  const server = await TestServer.start(app, { gracePeriod: 1500 });
  const url = `ws://127.0.0.1:${server.port}/hold`;
  const clients = await Promise.all([1, 2, 3].map(() => new Promise<Client>((resolve, reject) => {
    const client = new Client(url);
    client.once("open", () => resolve(client));
    client.once("error", reject);
  })));
  const codes = clients.map((client) => new Promise<number>((resolve) => client.once("close", (code) => resolve(code))));
  // A peer that never answers the close frame: it must not hold the stop past the grace period.
  const deaf = await server.connect();
  deaf.write(head("GET /hold HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  await new Promise((resolve) => deaf.socket.once("data", resolve));
  deaf.socket.pause();
  const started = performance.now();
  const outcome = await server.running.close();
  const took = performance.now() - started;
  assert.deepEqual(await Promise.all(codes), [1001, 1001, 1001]);
  assert.equal(finished, 4);
  assert.ok(took < 1500 + 1000, `the stop took ${Math.round(took)} ms`);
  assert.ok(outcome === "drained" || outcome === "forced");
  deaf.socket.resume();
  await deaf.closedByServer();
});
