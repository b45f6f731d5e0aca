import { hostname } from "node:os";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { createLogger, type Logger } from "../../common/logger.ts";
import { workerConnection } from "./connection.ts";
import { loadQueueLibraries } from "./libraries.ts";
import { safeUrl } from "./options.ts";
import type { RedisQueue } from "./redis-queue.ts";
import { jobProcessor, type RunningJob } from "./run-job.ts";

/** What a worker needs of the app: its lifespan (so tasks can use `app.state`) and its logger. */
export interface WorkerApp {
  startup?(): Promise<void>;
  shutdown?(): Promise<void>;
  readonly config?: { readonly logger?: Logger; readonly tasks?: { readonly backend?: unknown } | undefined };
}

export interface WorkerOptions {
  /** Tasks run at once; default the queue's `concurrency`. */
  concurrency?: number;
  /** Stop on SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
}

export interface RunningWorker {
  /** Stops taking tasks, lets running ones finish within the grace period, requeues the rest, then runs the app's shutdown. */
  close(): Promise<void>;
  /** Resolves once the worker has stopped, however it was stopped. */
  readonly closed: Promise<void>;
}

/**
 * Runs `queue`'s tasks in this process until stopped: the app starts first (its lifespan), then
 * the worker takes jobs. `spry worker FILE` calls it.
 *
 * @example
 * const worker = await startWorker(app, queue, { concurrency: 4 });
 * await worker.close();
 */
export async function startWorker(app: WorkerApp, queue: RedisQueue, options: WorkerOptions = {}): Promise<RunningWorker> {
  const settings = queue.options;
  const logger = app.config?.logger ?? createLogger();
  const concurrency = options.concurrency ?? settings.concurrency;
  const libraries = await loadQueueLibraries();
  await app.startup?.();
  const running = new Map<string, RunningJob>();
  const connection = await workerConnection(settings);
  const worker: Worker = new libraries.bullmq.Worker(settings.queue, jobProcessor(libraries, logger, running), {
    connection,
    prefix: settings.prefix,
    concurrency,
    lockDuration: settings.lockDuration,
    stalledInterval: settings.stalledInterval,
    maxStalledCount: settings.maxStalledCount,
    name: `${hostname()}:${process.pid}`,
    autorun: false,
  });
  watchConnection(worker, connection, logger, settings.queue, settings.url);
  const run = worker.run().catch((error: unknown) => {
    logger.error({ err: error }, "The task worker stopped on an error");
    throw error;
  });
  await worker.waitUntilReady();
  logger.info({ queue: settings.queue, redis: safeUrl(settings.url), concurrency, pid: process.pid }, `spry worker running: queue "${settings.queue}" on ${safeUrl(settings.url)}, ${concurrency} at once`);

  let closing: Promise<void> | undefined;
  let hurry: (() => void) | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () =>
    (closing ??= (async () => {
      await drain(worker, running, settings.gracePeriod, logger, (resolve) => (hurry = resolve));
      try {
        await app.shutdown?.();
      } catch (error) {
        logger.error({ err: error }, "The app's shutdown failed");
      }
      connection.disconnect();
      markClosed();
    })());
  void run.catch(() => close());

  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing !== undefined) {
        logger.warn({ signal }, "Second signal: putting running tasks back in the queue now");
        hurry?.();
        return;
      }
      logger.info({ signal, running: [...running.values()].map((r) => r.task) }, "Shutting down: no new tasks; finishing the running ones");
      void close();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    void closed.then(() => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
  }
  return { close, closed };
}

/**
 * Stops taking jobs and waits for the running ones, for at most `gracePeriod` ms (or until
 * `hurry` is called). Tasks still running then are aborted and put back in the queue at once,
 * rather than left for the stalled-job check to find after their lock expires: another worker
 * takes them up again as their next attempt.
 */
async function drain(worker: Worker, running: Map<string, RunningJob>, gracePeriod: number, logger: Logger, onHurry: (hurry: () => void) => void): Promise<void> {
  const finished = worker.close().then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), gracePeriod);
    onHurry(() => resolve(false));
  });
  const done = await Promise.race([finished, timeUp]);
  clearTimeout(timer);
  if (done) return;
  const cutOff = [...running.values()];
  logger.warn({ tasks: cutOff.map((r) => r.task), jobIds: cutOff.map((r) => r.job.id) }, "Grace period over: putting running tasks back in the queue");
  await Promise.all(
    cutOff.map(async (entry) => {
      entry.requeued = true;
      entry.controller.abort(new Error("The worker is shutting down; the task goes back in the queue"));
      try {
        await entry.job.moveToWait(entry.token);
      } catch (error) {
        // The lock expiring (stalled-job check) brings it back instead, only later.
        logger.error({ task: entry.task, jobId: entry.job.id, err: error }, "Could not put a task back in the queue; it is retried once its lock expires");
      }
    }),
  );
}

// One line when Redis goes away and one when it is back, however many reconnects BullMQ makes
// meanwhile. A Worker with no 'error' listener would throw on its first error.
function watchConnection(worker: Worker, connection: Redis, logger: Logger, queue: string, url: string): void {
  const where = { queue, redis: safeUrl(url) };
  let down = false;
  connection.on("close", () => {
    if (down || worker.closing) return;
    down = true;
    logger.warn(where, "Task worker: Redis is unreachable; waiting for it to come back");
  });
  connection.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info(where, "Task worker: Redis is reachable again");
  });
  worker.on("error", (error: Error) => {
    if (!down) logger.error({ ...where, err: error }, "Task worker error");
  });
}
