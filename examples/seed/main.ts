// examples/seed/main.ts: the seed article's app in spry. Run it with `npm start`.
import { z } from "zod";
import { Spry, sleep } from "spry";

const SLOW_TASK_SECONDS = Number(process.env.SLOW_TASK_SECONDS ?? 5);

const app = new Spry();

app.get("/slow_task/{item_id}", {
  item_id: z.int(),
  q: z.string().nullable().default(null),
}, async ({ item_id, q }, { signal }) => {
  await sleep(SLOW_TASK_SECONDS * 1000, { signal }); // a 5-second I/O-bound wait; other requests run meanwhile
  return { item_id, q };
});

app.get("/fast_task/", () => ({ message: "This is fast!" }));

export default app;
