/**
 * spry/queue: background tasks on Redis, through BullMQ. Give the app `redisQueue()` and the
 * same `add` call stores tasks for `spry worker` processes instead of running them in process.
 * A subpath of its own, so apps without a queue never load bullmq or ioredis.
 */
export { redisQueue, RedisQueue, type QueueCounts } from "./redis-queue.ts";
export type { RedisQueueOptions, KeepJobs } from "./options.ts";
export type { DeadLetter } from "./dead-letters.ts";
export { TaskQueueUnavailable } from "./connection.ts";
export { TaskArgsNotSerializable } from "./json-args.ts";
export { TaskArgsInvalid } from "./job-data.ts";
export { startWorker, type WorkerApp, type WorkerOptions, type RunningWorker } from "./worker.ts";
