// docs/reliability.md row 42: a graceful stop with WebSockets open. Each is told 1001 (going
// away) at once; one that never answers the closing handshake is dropped at the end of the
// grace period, and the stop finishes then, not later.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket as Client } from "ws";
import { Spry } from "spry";
import { eventually, head, TestServer } from "../support/server.ts";

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

test("a handshake that reaches a stopping server (its connection accepted before) is answered 503, not opened and then dropped", async () => {
  const app = new Spry({ logger: false, websocket: { pingInterval: 0 } });
  let opened = 0;
  app.websocket("/hold", async (_, ws) => {
    opened++;
    for await (const message of ws) void message;
  });
  const server = await TestServer.start(app, { gracePeriod: 3000 });
  // Connected before the stop; its head comes after it began (a drain lets a connection idle
  // for less than a second send its request).
  const late = await server.connect();
  const stopping = server.running.close();
  late.write(head("GET /hold HTTP/1.1", "Host: x", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
  const response = await late.response();
  assert.equal(response.status, 503);
  assert.deepEqual(JSON.parse(response.body), { detail: "Server shutting down" });
  await late.closedByServer();
  const started = performance.now();
  assert.equal(await stopping, "drained");
  assert.ok(performance.now() - started < 2000, "the stop did not wait for the refused handshake");
  assert.equal(opened, 0);
});

function openClient(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client(url);
    client.once("open", () => resolve(client));
    client.once("error", reject);
  });
}

function echo(client: Client, text: string): Promise<string> {
  return new Promise((resolve) => {
    client.once("message", (data) => resolve(String(data)));
    client.send(text);
  });
}

const echoApp = () => {
  const app = new Spry({ logger: false, websocket: { pingInterval: 0 } });
  app.websocket("/echo", async (_, ws) => {
    for await (const message of ws) await ws.send(message);
  });
  return app;
};

test("a socket open for a while is told 1001 on shutdown too: an upgraded connection is never swept as an idle one", async () => {
  const server = await TestServer.start(echoApp(), { gracePeriod: 3000 });
  const client = await openClient(`ws://127.0.0.1:${server.port}/echo`);
  const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
  // Longer than the drain waits before closing a connection that looks idle.
  await new Promise((resolve) => setTimeout(resolve, 1300));
  assert.equal(await echo(client, "still here"), "still here");
  assert.equal(await server.running.close(), "drained");
  assert.equal(await closed, 1001);
});

test("the connection cap counts open WebSockets but never evicts one as idle: an idle HTTP connection makes room, or the new one is refused", async () => {
  const server = await TestServer.start(echoApp(), { maxConnections: 3 });
  try {
    const url = `ws://127.0.0.1:${server.port}/echo`;
    const sockets = [await openClient(url), await openClient(url)];
    const idle = await server.connect();
    await eventually(async () => (await server.connections()) === 3);
    // At the cap: the idle HTTP connection is closed for the new one, not a WebSocket.
    const third = await openClient(url);
    await idle.closedByServer();
    for (const [i, client] of [...sockets, third].entries()) assert.equal(await echo(client, `m${i}`), `m${i}`);
    // Every connection a WebSocket: a new connection is refused, and the sockets go on.
    const refused = await server.connect();
    await refused.closedByServer();
    for (const client of [...sockets, third]) assert.equal(await echo(client, "after"), "after");
    for (const client of [...sockets, third]) client.close();
  } finally {
    await server.close();
  }
});
