// The seed app (examples/seed/main.ts) without parts of what issue 5 adds to every request, to
// price them (`--only spry,spry-nosignal,spry-bare`): SPRY_SIGNAL=0, the /slow_task/ handler
// takes no signal; SPRY_BLOCKING=0, blocking reports are off.
import { z } from "zod";
import { Spry, sleep, type Context } from "spry";

const SLOW_TASK_SECONDS = Number(process.env.SLOW_TASK_SECONDS ?? 5);
const withSignal = process.env.SPRY_SIGNAL !== "0";

const app = new Spry(process.env.SPRY_BLOCKING === "0" ? { blocking: { threshold: 0 } } : {});

app.get("/slow_task/{item_id}", {
  item_id: z.int(),
  q: z.string().nullable().default(null),
}, async ({ item_id, q }, ctx: Context) => {
  // Reading ctx.signal is what creates it: the variant without one never touches it.
  await sleep(SLOW_TASK_SECONDS * 1000, withSignal ? { signal: ctx.signal } : {});
  return { item_id, q };
});

app.get("/fast_task/", () => ({ message: "This is fast!" }));

export default app;
