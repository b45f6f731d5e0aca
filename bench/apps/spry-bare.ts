// The seed app (examples/seed/main.ts) without what issue 5 adds to every request: the handler
// takes no signal and blocking reports are off. `--only spry,spry-bare` prices the two.
import { z } from "zod";
import { Spry, sleep } from "../../src/index.ts";

const SLOW_TASK_SECONDS = Number(process.env.SLOW_TASK_SECONDS ?? 5);

const app = new Spry({ blocking: { threshold: 0 } });

app.get("/slow_task/{item_id}", {
  item_id: z.int(),
  q: z.string().nullable().default(null),
}, async ({ item_id, q }) => {
  await sleep(SLOW_TASK_SECONDS * 1000);
  return { item_id, q };
});

app.get("/fast_task/", () => ({ message: "This is fast!" }));

export default app;
