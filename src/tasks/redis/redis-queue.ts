import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { taskParts, type Task, type TaskBackend } from "../task.ts";
import { createLogger, type Logger } from "../../common/logger.ts";
import { producerConnection, TaskQueueUnavailable, waitUntilReady } from "./connection.ts";
import { readDeadLetter, type DeadLetter } from "./dead-letters.ts";
import { jobDataFor, type JobData } from "./job-data.ts";
import { jobOptions } from "./job-options.ts";
import { loadQueueLibraries } from "./libraries.ts";
import { resolveQueueOptions, safeUrl, type RedisQueueOptions, type ResolvedQueueOptions } from "./options.ts";

// Every queue backend this process created, so that `spry worker` can find the one the app
// module configured after importing it.
const created = new Set<RedisQueue>();

/** The queue backends created in this process so far, oldest first. */
export function createdQueues(): readonly RedisQueue[] {
  return [...created];
}

const UNSENT_RETRY_MS = 20;

/**
 * Whether ioredis refused the command before writing it: with the offline queue off, a command
 * issued on a connection that is no longer writable fails with this message, and only then.
 */
function neverSent(error: unknown): boolean {
  return error instanceof Error && error.message === "Stream isn't writeable and enableOfflineQueue options is false";
}

/** How many jobs are in each state. */
export interface QueueCounts {
  readonly waiting: number;
  readonly delayed: number;
  readonly active: number;
  readonly completed: number;
  readonly failed: number;
}

/**
 * Tasks on Redis, through BullMQ: `add` stores the task and returns once Redis has it; the
 * `spry worker` processes run it. Create one with `redisQueue()`.
 */
export class RedisQueue implements TaskBackend {
  readonly kind = "redis";
  readonly options: ResolvedQueueOptions;
  #logger: Logger | undefined;
  #open: Promise<{ queue: Queue; client: Redis }> | undefined;
  #closed = false;

  constructor(options: RedisQueueOptions & { logger?: Logger } = {}) {
    this.options = resolveQueueOptions(options);
    this.#logger = options.logger;
    created.add(this);
  }

  async enqueue(task: Task<any, any>, args: unknown, origin: { readonly route: string }): Promise<void> {
    await this.add(task, args, origin.route);
  }

  /**
   * Stores the task (after checking its argument) and resolves with its job id once Redis has it.
   * Rejects with TaskArgsInvalid, TaskArgsNotSerializable or TaskQueueUnavailable, each naming the task.
   */
  async add(task: Task<any, any>, args: unknown, route?: string): Promise<string> {
    if (this.#closed) throw new TaskQueueUnavailable(`Task "${task.name}" was not queued: the queue is closed (the app is shutting down)`);
    const data = await jobDataFor(task, args, route);
    const options = jobOptions(taskParts(task).options, this.options);
    const { queue, client } = await this.#connect();
    const notQueued = `Task "${task.name}" was not queued`;
    const deadline = Date.now() + this.options.unavailableTimeout;
    for (;;) {
      await waitUntilReady(client, Math.max(0, deadline - Date.now()), notQueued, this.options.url);
      try {
        const job = await queue.add(task.name, data, options);
        return job.id!;
      } catch (error) {
        // The write may have reached Redis before the connection broke: say so rather than
        // claim nothing was stored.
        if (!neverSent(error)) {
          throw new TaskQueueUnavailable(
            `Task "${task.name}" may not have been queued: the connection to Redis at ${safeUrl(this.options.url)} failed while adding it (${(error as Error).message})`,
            { cause: error },
          );
        }
        // Nothing was written: the connection dropped just before, while the client still said
        // "ready". Wait for Redis as any add during an outage does, within the same bound.
        if (Date.now() >= deadline) {
          throw new TaskQueueUnavailable(`${notQueued}: Redis at ${safeUrl(this.options.url)} is unreachable (${(error as Error).message}); nothing was stored`, {
            cause: error,
          });
        }
        // ioredis notices the closed socket on a later turn of the event loop.
        await new Promise((resolve) => setTimeout(resolve, UNSENT_RETRY_MS));
      }
    }
  }

  /**
   * The dead-letter list: tasks that failed on their last attempt, newest first.
   *
   * @example
   * for (const dead of await queue.deadLetters()) console.log(dead.id, dead.task, dead.error);
   */
  async deadLetters(range: { start?: number; count?: number } = {}): Promise<DeadLetter[]> {
    const { queue } = await this.#connectedOrThrow("read the dead-letter list");
    const start = range.start ?? 0;
    const jobs = await queue.getFailed(start, start + (range.count ?? 100) - 1);
    return jobs.map((job) => readDeadLetter(job));
  }

  /** Puts a dead letter back in the queue for another round of attempts. */
  async retryDeadLetter(id: string): Promise<void> {
    const { queue } = await this.#connectedOrThrow("retry a dead letter");
    const job = await queue.getJob(id);
    if (job === undefined) throw new Error(`No job ${id} in queue "${this.options.queue}"`);
    await job.retry("failed");
  }

  /** How many jobs wait, are delayed, run, completed (of those kept) and failed. */
  async counts(): Promise<QueueCounts> {
    const { queue } = await this.#connectedOrThrow("count jobs");
    const counts = await queue.getJobCounts("waiting", "delayed", "active", "completed", "failed");
    return { waiting: counts.waiting ?? 0, delayed: counts.delayed ?? 0, active: counts.active ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 };
  }

  /** Refuses further tasks and closes the connection; tasks already added are in Redis. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined) return;
    const { queue, client } = await open;
    await queue.close().catch(() => {});
    client.disconnect();
  }

  async #connectedOrThrow(what: string): Promise<{ queue: Queue; client: Redis }> {
    const open = await this.#connect();
    await waitUntilReady(open.client, this.options.unavailableTimeout, `Cannot ${what}`, this.options.url);
    return open;
  }

  #connect(): Promise<{ queue: Queue; client: Redis }> {
    return (this.#open ??= (async () => {
      const { bullmq } = await loadQueueLibraries();
      const client = await producerConnection(this.options);
      const queue = new bullmq.Queue(this.options.queue, { connection: client, prefix: this.options.prefix });
      this.#watch(client, queue);
      return { queue, client };
    })());
  }

  // ioredis reports every failed reconnect; one line when Redis goes away and one when it is
  // back is what an operator needs. BullMQ re-emits errors on the Queue, and an EventEmitter
  // with no 'error' listener would throw.
  #watch(client: Redis, queue: Queue): void {
    const logger = (this.#logger ??= createLogger());
    const where = { queue: this.options.queue, redis: safeUrl(this.options.url) };
    let down = false;
    queue.on("error", (error: Error) => {
      if (down) return;
      down = true;
      logger.warn({ ...where, err: error }, "Task queue: Redis is unreachable; adding tasks fails until it is back");
    });
    client.on("ready", () => {
      if (!down) return;
      down = false;
      logger.info(where, "Task queue: Redis is reachable again");
    });
  }
}

/**
 * The task backend that stores tasks in Redis (BullMQ) for `spry worker` processes to run.
 * Give it to the app, and the same `add` call queues tasks instead of running them in process.
 *
 * @example
 * import { redisQueue } from "spry/queue";
 * const app = new Spry({ tasks: redisQueue({ url: process.env.REDIS_URL }) });
 * // then, next to `spry run main.ts`:  spry worker main.ts --concurrency 20
 */
export function redisQueue(options: RedisQueueOptions & { logger?: Logger } = {}): RedisQueue {
  return new RedisQueue(options);
}

export type { JobData };
