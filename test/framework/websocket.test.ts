// WebSocket routes in process, through TestClient.websocket: routing, inputs, dependencies,
// accept, messages of each kind, close codes, validation failures (docs/reliability.md row 41).
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { CloseCode, depends, header, HTTPException, query, Router, Spry, WebSocketDisconnect } from "spry";
import { cors, compress, trustedHost } from "spry/middleware";
import { TestClient, WebSocketDenied } from "spry/testing";
import { recordingLogger } from "../support/logger.ts";
import { eventually } from "../support/server.ts";

const events: string[] = [];
const session = depends({}, async function* () {
  events.push("session open");
  try {
    yield { user: "ann" };
  } finally {
    events.push("session closed");
  }
});
const authorized = depends({ token: query(z.string()) }, ({ token }) => {
  if (token !== "secret") throw new HTTPException(401, "Bad token", { "www-authenticate": "Bearer" });
  return token;
});

const logger = recordingLogger();
const app = new Spry({ logger });
app.websocket("/ws/{room}", { room: z.string(), token: z.string(), who: session }, async ({ room, token, who }, ws) => {
  await ws.accept();
  await ws.sendJson({ room, token, user: who.user });
  for await (const message of ws) await ws.send(typeof message === "string" ? `${room}: ${message}` : message);
});
app.websocket("/count/{n}", { n: z.coerce.number().int().min(1) }, async ({ n }, ws) => {
  for (let i = 0; i < n; i++) await ws.send(String(i));
  ws.close(4000, "counted");
});
app.websocket("/protocols", async (_, ws) => {
  await ws.accept({ subprotocol: ws.protocols.includes("chat.v2") ? "chat.v2" : undefined, headers: { "x-server": "spry" } });
  await ws.sendJson({ offered: ws.protocols });
  await ws.close();
});
app.websocket("/json", async (_, ws) => {
  const value = await ws.receiveJson<{ n: number }>();
  await ws.sendJson({ double: value.n * 2 });
  const bytes = await ws.receiveBytes();
  await ws.send(new Uint8Array([...bytes].reverse()));
  await ws.receiveText();
});
app.websocket("/auth", { token: authorized }, async ({ token }, ws) => {
  await ws.sendJson({ token });
});
app.websocket("/refuse", (_, ws) => ws.close());
app.websocket("/throws", async (_, ws) => {
  await ws.accept();
  throw new Error("handler bug");
});
let disconnect: { code: number; reason: string } | undefined;
let signalled: unknown;
app.websocket("/wait", async (_, ws) => {
  await ws.accept();
  ws.signal.addEventListener("abort", () => (signalled = ws.signal.reason));
  try {
    await ws.receive();
  } catch (error) {
    if (error instanceof WebSocketDisconnect) disconnect = { code: error.code, reason: error.reason };
  }
});
const rooms = new Router({ prefix: "/rooms" });
rooms.websocket("/{id}", { id: z.coerce.number().int(), agent: header(z.string().default("none")) }, async ({ id, agent }, ws) => {
  await ws.sendJson({ id, agent });
  ws.close();
});
app.include(rooms, { prefix: "/v1" });
app.get("/ws/{room}", ({ room }) => ({ http: room }));
const client = new TestClient(app);

test("inputs from the path and query, a dependency with teardown after close, echo in a loop", async () => {
  events.length = 0;
  const ws = await client.websocket("/ws/lobby", { query: { token: "t1" } });
  assert.deepEqual(await ws.receiveJson(), { room: "lobby", token: "t1", user: "ann" });
  await ws.send("hello");
  assert.equal(await ws.receiveText(), "lobby: hello");
  await ws.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await ws.receiveBytes())], [1, 2, 3]);
  assert.deepEqual(events, ["session open"]);
  await ws.close();
  assert.ok(await eventually(() => events.length === 2));
  assert.deepEqual(events, ["session open", "session closed"]);
});

test("the same path as an HTTP route stays an HTTP route", async () => {
  assert.deepEqual(await (await client.get("/ws/lobby")).json(), { http: "lobby" });
});

test("invalid inputs: accepted, then closed with 1008 and the errors, before the handler runs", async () => {
  events.length = 0;
  const ws = await client.websocket("/ws/lobby");
  const closed = await ws.closed;
  assert.equal(closed.code, CloseCode.policyViolation);
  assert.deepEqual(JSON.parse(closed.reason).detail[0].loc, ["query", "token"]);
  assert.deepEqual(events, []);
  const count = await client.websocket("/count/0");
  const long = await count.closed;
  assert.equal(long.code, 1008);
});

test("errors too long for a close reason come as a first message", async () => {
  const ws = await client.websocket("/count/zero-is-not-a-number-and-this-is-long-enough-to-overflow-the-close-reason");
  const first = JSON.parse(await ws.receiveText());
  assert.equal(first.detail[0].loc[0], "path");
  const closed = await ws.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, "Request validation failed");
});

test("the first send accepts; close with a code and reason", async () => {
  const ws = await client.websocket("/count/3");
  assert.deepEqual([await ws.receiveText(), await ws.receiveText(), await ws.receiveText()], ["0", "1", "2"]);
  assert.deepEqual(await ws.closed, { code: 4000, reason: "counted" });
  await assert.rejects(ws.receive(), (error: unknown) => error instanceof WebSocketDisconnect && error.code === 4000);
});

test("subprotocols offered and chosen, extra headers", async () => {
  const ws = await client.websocket("/protocols", { subprotocols: ["chat.v1", "chat.v2"] });
  assert.equal(ws.subprotocol, "chat.v2");
  assert.equal(ws.headers["x-server"], "spry");
  assert.deepEqual(await ws.receiveJson(), { offered: ["chat.v1", "chat.v2"] });
  assert.equal((await ws.closed).code, 1000);
});

test("JSON and bytes both ways; a text message where bytes were expected closes 1003", async () => {
  const ws = await client.websocket("/json");
  await ws.sendJson({ n: 21 });
  assert.deepEqual(await ws.receiveJson(), { double: 42 });
  await ws.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await ws.receiveBytes())], [3, 2, 1]);
  await ws.close();
  const wrong = await client.websocket("/json");
  await wrong.send("not json");
  assert.equal((await wrong.closed).code, CloseCode.unsupportedData);
});

test("a dependency's HTTPException refuses the handshake with that response", async () => {
  const error = await client.websocket("/auth", { query: { token: "wrong" } }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof WebSocketDenied);
  assert.equal(error.response.status, 401);
  assert.equal(error.response.headers.get("www-authenticate"), "Bearer");
  assert.deepEqual(await error.response.json(), { detail: "Bad token" });
  const ws = await client.websocket("/auth", { query: { token: "secret" } });
  assert.deepEqual(await ws.receiveJson(), { token: "secret" });
});

test("closing before accept refuses with 403; an unknown path with 404", async () => {
  await assert.rejects(client.websocket("/refuse"), (error: unknown) => error instanceof WebSocketDenied && error.response.status === 403);
  await assert.rejects(client.websocket("/nowhere"), (error: unknown) => error instanceof WebSocketDenied && error.response.status === 404);
});

test("a handler that throws after accept: closed 1011, logged with the route", async () => {
  const ws = await client.websocket("/throws");
  assert.deepEqual(await ws.closed, { code: 1011, reason: "Internal Server Error" });
  assert.ok(logger.entries.some((e) => e.level === "error" && e.fields.route === "GET /throws"));
});

test("the client closing: receive() throws WebSocketDisconnect with its code, the signal aborts", async () => {
  const ws = await client.websocket("/wait");
  await ws.close(4001, "bye");
  assert.ok(await eventually(() => disconnect !== undefined));
  assert.deepEqual(disconnect, { code: 4001, reason: "bye" });
  assert.ok(signalled instanceof WebSocketDisconnect);
});

test("routers and prefixes, header inputs", async () => {
  const ws = await client.websocket("/v1/rooms/7", { headers: { agent: "tester" } });
  assert.deepEqual(await ws.receiveJson(), { id: 7, agent: "tester" });
});

test("WebSocket routes stay out of the OpenAPI document", () => {
  assert.deepEqual(Object.keys(app.openapi().paths), ["/ws/{room}"]);
});

test("origins: same-origin by default, a list, or any", async () => {
  const strict = new Spry({ logger: false });
  strict.websocket("/same", (_, ws) => ws.send("ok"));
  strict.websocket("/listed", (_, ws) => ws.send("ok"), { origins: ["https://app.example"] });
  strict.websocket("/any", (_, ws) => ws.send("ok"), { origins: "*" });
  const c = new TestClient(strict);
  const denied = (path: string, origin: string) => assert.rejects(c.websocket(path, { headers: { origin } }), (e: unknown) => e instanceof WebSocketDenied && e.response.status === 403);
  await denied("/same", "https://evil.example");
  assert.equal(await (await c.websocket("/same", { headers: { origin: "http://testserver" } })).receiveText(), "ok");
  assert.equal(await (await c.websocket("/same")).receiveText(), "ok");
  await denied("/listed", "http://testserver");
  assert.equal(await (await c.websocket("/listed", { headers: { origin: "https://app.example" } })).receiveText(), "ok");
  assert.equal(await (await c.websocket("/any", { headers: { origin: "https://evil.example" } })).receiveText(), "ok");
});

test("TrustedHost applies to handshakes as to requests: a host not allowed is refused with its 400", async () => {
  const guarded = new Spry({ logger: false });
  guarded.use(compress()); // has nothing to say to a socket, and does not run for one
  guarded.use(trustedHost({ allowedHosts: ["testserver", "*.example.com"] }));
  let ran = 0;
  guarded.websocket("/ws", async (_, ws) => {
    ran++;
    await ws.send("ok");
  });
  const c = new TestClient(guarded);
  assert.equal(await (await c.websocket("/ws")).receiveText(), "ok");
  assert.equal(await (await c.websocket("/ws", { headers: { host: "api.example.com" } })).receiveText(), "ok");
  for (const host of ["evil.example", "example.com.evil.net", "bad\thost"]) {
    const refused = await c.websocket("/ws", { headers: { host } }).then(() => assert.fail(`${host} was let in`), (e: unknown) => e);
    assert.ok(refused instanceof WebSocketDenied);
    assert.equal(refused.response.status, 400);
    assert.equal(await refused.response.text(), "Invalid host header");
  }
  assert.equal(ran, 2);
});

test("CORS's allowed origins may open the sockets that keep the same-origin default; its `*` does not, nor does it widen a route's own list", async () => {
  const make = (allowOrigins: string[]) => {
    const app = new Spry({ logger: false });
    app.use(cors({ allowOrigins, allowOriginRegex: "https://.*\\.partner\\.example" }));
    app.websocket("/same", (_, ws) => ws.send("ok"));
    app.websocket("/listed", (_, ws) => ws.send("ok"), { origins: ["https://other.example"] });
    return new TestClient(app);
  };
  const c = make(["https://app.example"]);
  const opens = async (path: string, origin: string) => (await (await c.websocket(path, { headers: { origin } })).receiveText()) === "ok";
  const denied = (client: TestClient, path: string, origin: string) =>
    assert.rejects(client.websocket(path, { headers: { origin } }), (e: unknown) => e instanceof WebSocketDenied && e.response.status === 403);
  assert.ok(await opens("/same", "https://app.example"));
  assert.ok(await opens("/same", "https://eu.partner.example"));
  assert.ok(await opens("/same", "http://testserver"));
  await denied(c, "/same", "https://evil.example");
  await denied(c, "/same", "https://eu.partner.example.evil.net");
  await denied(c, "/listed", "https://app.example");
  assert.ok(await opens("/listed", "https://other.example"));
  await denied(make(["*"]), "/same", "https://evil.example");
});
