// The app bench/realtime.mjs measures: a WebSocket echo (in either idiom, SPRY_ECHO below), an endless event stream, the seed's
// /fast_task/, and a directory of static files (STATIC_DIR). bench/realtime.mjs runs it as a user
// would: compiled to JavaScript, against spry's build (lib/spry-build.mjs); no access log, as the
// other servers here log nothing per request.
import { Spry, ServerSentEvent } from "spry";
import { staticFiles } from "spry/files";
import { serve } from "spry/server";

const app = new Spry({ logger: false, websocket: { pingInterval: 0 } });
// SPRY_ECHO=foreach: the callback idiom (the bench's "spry-foreach"), else `for await` ("spry").
if (process.env.SPRY_ECHO === "foreach") app.websocket("/echo", (_, ws) => ws.forEach((message) => ws.send(message)));
else app.websocket("/echo", async (_, ws) => {
  for await (const message of ws) await ws.send(message);
});
app.get("/fast_task/", () => ({ message: "This is fast!" }));
app.get("/events", async function* (_, { signal }) {
  yield new ServerSentEvent({ comment: "open" });
  // Held open until the client leaves; the keep-alive comment is the only traffic.
  await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
}, { stream: "sse" });
if (process.env.STATIC_DIR) app.mount("/static", staticFiles({ directory: process.env.STATIC_DIR }));

await serve(app, { port: Number(process.env.PORT), host: process.env.HOST ?? "127.0.0.1", maxConnections: 20_000, accessLog: false });
