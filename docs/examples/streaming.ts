// docs/examples/streaming.ts: JSON Lines and server-sent events from async generators.
import { z } from "zod";
import { eventStream, header, ServerSentEvent, sleep, Spry } from "spry";

const Price = z.object({ symbol: z.string(), price: z.number() });
const TICK_MS = Number(process.env.TICK_MS ?? 1000);

const app = new Spry();

// JSON Lines: a handler that is an async generator; each item is checked against the model.
app.get("/prices", async function* () {
  yield { symbol: "ACME", price: 12.5 };
  yield { symbol: "INIT", price: 3.25, internal: "stripped by the model" };
}, { response: Price });

// Server-sent events that resume: a reconnecting browser sends the last id it saw.
app.get("/ticks", { last_event_id: header(z.coerce.number().int().optional()) }, async function* ({ last_event_id }, { signal }) {
  for (let id = (last_event_id ?? 0) + 1; ; id++) {
    yield new ServerSentEvent({ id, event: "tick", data: { n: id } });
    await sleep(TICK_MS, { signal }); // ends the loop (and runs any finally) when the client leaves
  }
}, { stream: "sse" });

// Any handler can return an event stream built from an iterable.
app.get("/status", () => eventStream([new ServerSentEvent({ event: "ready", rawData: "all systems go" })]));

export default app;
