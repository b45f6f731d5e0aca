// The seed app (examples/seed/main.ts) with blocking reports on (the default) but a handler that
// takes no signal: beside `spry` and `spry-bare` it tells the two costs apart.
import { z } from "zod";
import { Spry, sleep } from "../../src/index.ts";

const SLOW_TASK_SECONDS = Number(process.env.SLOW_TASK_SECONDS ?? 5);

const app = new Spry();

app.get("/slow_task/{item_id}", {
  item_id: z.int(),
  q: z.string().nullable().default(null),
}, async ({ item_id, q }) => {
  await sleep(SLOW_TASK_SECONDS * 1000);
  return { item_id, q };
});

app.get("/fast_task/", () => ({ message: "This is fast!" }));

export default app;
