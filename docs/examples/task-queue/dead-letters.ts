// docs/examples/task-queue/dead-letters.ts: list the tasks that failed for good, and retry them.
import { redisQueue } from "spry/queue";

const queue = redisQueue({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", queue: "shop" });

console.log(await queue.counts()); // { waiting, delayed, active, completed, failed }
for (const dead of await queue.deadLetters({ count: 50 })) {
  console.log(dead.id, dead.task, dead.args, `after ${dead.attempts} attempts:`, dead.error);
  if (process.argv.includes("--retry")) await queue.retryDeadLetter(dead.id);
}
await queue.close();
