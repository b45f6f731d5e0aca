// docs/examples/websocket-foreach.ts: ws.forEach(), the callback idiom, beside `for await`.
import { CloseCode, Spry } from "spry";

const app = new Spry();

// Each message sent back. Returning send()'s promise is what holds the next message back while
// the client is slow to read; the route's limits hold as for a loop.
app.websocket("/echo", (_, ws) => ws.forEach((message) => ws.send(message)));

// An async callback: one message at a time, in order. forEach() resolves when the client leaves,
// and the handler goes on after it, as after a loop; a callback that throws closes with 1011.
app.websocket("/sum", async (_, ws) => {
  let total = 0;
  await ws.forEach(async (message) => {
    const n = typeof message === "string" ? Number(message) : NaN;
    if (Number.isNaN(n)) return ws.close(CloseCode.unsupportedData, "Send a number");
    total += n;
    await ws.sendJson({ total });
  });
  console.log(`the client left at ${total}`);
});

export default app;
