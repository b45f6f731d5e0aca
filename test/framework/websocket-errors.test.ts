// A WebSocket handshake that fails before accept is answered by the app's error layers, as an
// HTTP request's failure would be: its exception handlers first, an HTTPException's
// {"detail": ...}, else the logged 500; the socket is never opened.
import assert from "node:assert/strict";
import { test } from "node:test";
import { depends, HTTPException, json, Spry } from "spry";
import { TestClient, WebSocketDenied } from "spry/testing";
import { recordingLogger } from "../support/logger.ts";

class Banned extends Error {}

const logger = recordingLogger();
const app = new Spry({ logger });
const banned = depends({}, () => {
  throw new Banned("no entry");
});
const broken = depends({}, () => {
  throw new Error("database down");
});
let opened = 0;
app.websocket("/banned", { user: banned }, async (_, ws) => {
  opened++;
  await ws.accept();
});
app.websocket("/broken", { user: broken }, async (_, ws) => {
  opened++;
  await ws.accept();
});
app.exceptionHandler(Banned, (error) => json({ reason: error.message }, { status: 451, headers: { "x-banned": "yes" } }));
app.exceptionHandler(404, () => json({ message: "No socket here" }, { status: 404 }));
const client = new TestClient(app);

async function refusal(path: string): Promise<Response> {
  const error = await client.websocket(path).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof WebSocketDenied, `${path} was refused`);
  return error.response;
}

test("a dependency's error class: the app's exception handler answers the handshake", async () => {
  const response = await refusal("/banned");
  assert.equal(response.status, 451);
  assert.equal(response.headers.get("x-banned"), "yes");
  assert.deepEqual(await response.json(), { reason: "no entry" });
  assert.equal(opened, 0);
});

test("an unknown path goes through the 404 handler", async () => {
  const response = await refusal("/nowhere");
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), { message: "No socket here" });
});

test("any other error before accept: the 500, logged once with the route", async () => {
  const response = await refusal("/broken");
  assert.equal(response.status, 500);
  assert.deepEqual(await response.json(), { detail: "Internal Server Error" });
  const logged = logger.entries.filter((e) => e.level === "error" && e.fields.route === "GET /broken");
  assert.equal(logged.length, 1);
  assert.equal((logged[0]!.fields.err as Error).message, "database down");
  assert.equal(opened, 0);
});

test("an HTTPException keeps its status and headers", async () => {
  const guarded = new Spry({ logger: false });
  const auth = depends({}, () => {
    throw new HTTPException(401, "Who are you?", { "www-authenticate": "Bearer" });
  });
  guarded.websocket("/ws", { user: auth }, async (_, ws) => ws.accept());
  const error = await new TestClient(guarded).websocket("/ws").then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof WebSocketDenied);
  assert.equal(error.response.status, 401);
  assert.equal(error.response.headers.get("www-authenticate"), "Bearer");
  assert.deepEqual(await error.response.json(), { detail: "Who are you?" });
});
