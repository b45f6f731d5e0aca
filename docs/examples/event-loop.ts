// docs/examples/event-loop.ts: cancellation, deadlines, overload limits and app.stats().
import { z } from "zod";
import { HandlerTimeout, Spry, json, sleep } from "spry";

const app = new Spry({
  timeout: 10_000, // every handler: 504 after 10 s, its signal aborted
  overload: { maxConcurrency: 1_000, maxEventLoopDelay: 500, retryAfter: 2 },
  blocking: { threshold: 100 }, // the default: warn when code holds the loop 100 ms or more
});

// The signal fires when the client goes away (or at the deadline): pass it to every await.
app.get("/report/{id}", { id: z.int() }, async ({ id }, ctx) => {
  await sleep(1_000, { signal: ctx.signal }); // stops at once when the client leaves
  // ctx.fetch is fetch() with the request's signal: the upstream call is cancelled with it.
  const upstream = await ctx.fetch(`http://127.0.0.1:${process.env.UPSTREAM_PORT ?? 9}/data/${id}`);
  return { id, data: await upstream.json() };
});

// A route's own deadline replaces the app's.
app.get("/search", { q: z.string() }, async ({ q }, { signal }) => {
  try {
    await sleep(5_000, { signal });
    return { q, results: [] };
  } catch (error) {
    if (error instanceof HandlerTimeout) console.log(`search for ${q} gave up after ${error.timeout} ms`);
    throw error;
  }
}, { timeout: 50 });

// The 504 is an HTTPException(504): an exception handler can shape it.
app.exceptionHandler(504, () => json({ message: "Took too long, try again" }, { status: 504 }));

// Counters for a dashboard: cancelled, timedOut, rejected, shed, blocked, inFlight, eventLoop.
app.get("/stats", () => app.stats());

export default app;
