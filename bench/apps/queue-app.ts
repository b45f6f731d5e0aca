// The app `bench/queue.mjs` runs `spry worker` on: one no-op task that notes when it started,
// and how long after its `add` (same machine, same clock).
import { appendFileSync } from "node:fs";
import { z } from "zod";
import { Spry, task } from "../../src/index.ts";
import { redisQueue } from "../../src/tasks/redis/index.ts";

export const tick = task(import.meta.url, { args: z.object({ addedAt: z.number() }) }, function tick({ addedAt }) {
  const now = Date.now();
  appendFileSync(process.env.RECORD_FILE!, `${now} ${now - addedAt}\n`);
});

export default new Spry({
  tasks: redisQueue({ url: process.env.REDIS_URL, queue: process.env.QUEUE_NAME, keepCompleted: { count: 100 } }),
});
