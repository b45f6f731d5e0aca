import type { JobsOptions } from "bullmq";
import type { TaskOptions } from "../task.ts";
import type { ResolvedQueueOptions } from "./options.ts";

/**
 * A task's options as BullMQ job options: `retries` are attempts after the first, `backoff`
 * and `delay` carry over as they are, and what the queue keeps of finished jobs is set per job
 * (BullMQ has no queue-wide setting that workers and producers would both honour).
 */
export function jobOptions(task: TaskOptions<any>, queue: ResolvedQueueOptions): JobsOptions {
  const retries = task.retries ?? 0;
  if (!(Number.isInteger(retries) && retries >= 0)) throw new TypeError(`Task option retries must be an integer >= 0, got ${retries}`);
  const options: JobsOptions = {
    attempts: retries + 1,
    removeOnComplete: queue.keepCompleted,
    removeOnFail: queue.keepFailed === "all" ? false : queue.keepFailed,
  };
  if (task.backoff !== undefined) options.backoff = { type: task.backoff.type, delay: task.backoff.delay };
  if (task.delay !== undefined && task.delay > 0) options.delay = task.delay;
  return options;
}
