// Type-level tests for WebSocket routes, streaming handlers and static files, checked by `tsc --noEmit`.
// Nothing here runs.
import { z } from "zod";
import { depends, query, ServerSentEvent, Spry, type Context, type MessageCallback, type WebSocket } from "spry";
import { staticFiles, type FileCacheOptions } from "spry/files";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_?: T): void {}

const app = new Spry();
const user = depends({ token: query(z.string()) }, ({ token }) => ({ name: token }));

// A WebSocket route's inputs are inferred like an HTTP route's, dependencies included.
app.websocket("/ws/{room}", { room: z.string(), limit: z.coerce.number().int(), who: user }, async (inputs, ws, ctx) => {
  expectType<Equal<typeof inputs, { room: string; limit: number; who: { name: string } }>>();
  expectType<Equal<typeof ws, WebSocket>>();
  expectType<Equal<typeof ctx, Context>>();
  const text: string = await ws.receiveText();
  const bytes: Uint8Array = await ws.receiveBytes();
  const message: string | Uint8Array = await ws.receive();
  void [text, bytes, message];
  // @ts-expect-error: not declared
  void inputs.token;
});

// forEach(): the callback gets either kind of message and may return anything (a promise is
// waited for); it settles with nothing. The handler's types are inferred as for a loop.
app.websocket("/each/{room}", { room: z.string() }, (inputs, ws) => {
  expectType<Equal<typeof inputs, { room: string }>>();
  const done = ws.forEach((message) => {
    expectType<Equal<typeof message, string | Uint8Array>>();
    return ws.send(message);
  });
  expectType<Equal<typeof done, Promise<void>>>();
  void ws.forEach(async () => 1);
  // @ts-expect-error: a message may be bytes
  void ws.forEach((message: string) => message);
  const callback: MessageCallback = (message) => void message;
  return ws.forEach(callback);
});

// Undeclared path parameters are strings.
app.websocket("/plain/{id}", (inputs) => {
  expectType<Equal<typeof inputs, { id: string }>>();
});

// A WebSocket route's options are its limits and dependencies.
app.websocket("/limited", () => {}, { maxMessageSize: 1024, origins: ["https://app.example"], dependencies: [user] });
// @ts-expect-error: not a limit
app.websocket("/wrong", () => {}, { maxMessageSize: "big" });

// With a response model, an async generator must yield the model's input (or ServerSentEvents).
const Item = z.object({ name: z.string() });
app.get("/items", async function* () {
  yield { name: "a" };
  yield new ServerSentEvent({ comment: "fine" });
}, { response: Item, stream: "sse" });
// @ts-expect-error: an item that is not the model's
app.get("/bad-items", async function* () {
  yield { name: 1 };
}, { response: Item });

// staticFiles()'s cache: on by default, `false` to turn off, or its two byte bounds.
staticFiles({ directory: "public", cache: false });
staticFiles({ directory: "public", cache: { maxFileSize: 16 * 1024, maxSize: 1024 * 1024 } });
const bounds: FileCacheOptions = { maxSize: 0 };
staticFiles({ directory: "public", cache: bounds });
// @ts-expect-error: a bound is a number of bytes
staticFiles({ directory: "public", cache: { maxSize: "4MB" } });
