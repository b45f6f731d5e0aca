import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { Piscina } from "piscina";
import { createLogger, type Logger } from "../common/logger.ts";
import { PoolSaturated, WorkerCrashed, isThrownInWorker, notCloneable, restoreError } from "./errors.ts";
import type { ModuleFunctionRef } from "./module-function.ts";
import type { PoolTask } from "./run-task.ts";
import type { TransferItem } from "./transfer.ts";
import { POOL_WORKER } from "./where.ts";

/** How the process's worker thread pool is sized. */
export interface ThreadPoolOptions {
  /** Worker threads; default `os.availableParallelism()`, one per core. */
  size?: number;
  /**
   * Calls allowed to wait for a free thread; past it a call fails at once with PoolSaturated
   * (503). Default 32 per thread: a queued call waits about maxQueue / size run times, so with
   * a 50 ms password hash the last in line waits ~1.6 s, still under common client and proxy
   * timeouts, while a burst 32 times the pool's width is absorbed. A longer queue only turns
   * overload into latency (FastAPI's unbounded thread-pool queue is that cliff).
   */
  maxQueue?: number;
  /** What a saturated answer's Retry-After says, in seconds; default 1. */
  retryAfter?: number;
}

export interface PoolRunOptions {
  /**
   * Cancels the call. A call still waiting in the queue is removed and never runs. A running one
   * keeps its thread until it returns (synchronous code cannot be interrupted), its result is
   * dropped, and the caller rejects at once with the signal's reason; with `terminate`, the
   * thread is terminated instead and a new one started.
   */
  signal?: AbortSignal | undefined;
  /** Terminate the thread of a running call when `signal` aborts; default false. */
  terminate?: boolean | undefined;
  /** Buffers and ports moved to the worker instead of copied. */
  transferList?: readonly TransferItem[] | undefined;
}

/** Latency percentiles, in milliseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

/** What the pool is doing, to watch saturation. See docs/threads.md. */
export interface ThreadPoolStats {
  /** Whether the pool has been started (by a first call) and not closed. */
  readonly started: boolean;
  readonly size: number;
  readonly maxQueue: number;
  /** Calls running on a thread now. */
  readonly running: number;
  /** Calls waiting for a free thread now. */
  readonly queued: number;
  /** Calls that returned a value. */
  readonly completed: number;
  /** Calls whose function threw (or whose arguments could not be sent). */
  readonly failed: number;
  /** Calls lost because their worker thread died. */
  readonly crashed: number;
  /** Calls cancelled by their signal. */
  readonly cancelled: number;
  /** Calls refused because the queue was full (answered 503). */
  readonly rejected: number;
  /** Time from the call to a thread starting it. */
  readonly waitTime: Percentiles;
  /** Time a thread spent on a call. */
  readonly runTime: Percentiles;
}

/**
 * piscina infers its transfer-list type from MessagePort.postMessage, whose last overload in
 * current @types/node takes an options object; piscina passes the list as the array argument.
 */
type PiscinaTransferList = NonNullable<Parameters<Piscina["run"]>[1]>["transferList"];

const require = createRequire(import.meta.url);
const WORKER_ENTRY = new URL("./worker.mjs", import.meta.url).href;
// Beside this module, with its extension: run-task.ts in the sources, run-task.js in the build.
const RUN_TASK = new URL(`./run-task${import.meta.url.slice(import.meta.url.lastIndexOf("."))}`, import.meta.url).href;

function defaults(given: ThreadPoolOptions): Required<ThreadPoolOptions> {
  const size = given.size ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`threads.size must be a positive integer, got ${size}`);
  const maxQueue = given.maxQueue ?? size * 32;
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError(`threads.maxQueue must be a non-negative integer, got ${maxQueue}`);
  return { size, maxQueue, retryAfter: given.retryAfter ?? 1 };
}

function percentiles(summary: { p50: number; p99: number } | undefined, count: number): Percentiles {
  return count === 0 || summary === undefined ? { p50: 0, p99: 0 } : { p50: summary.p50, p99: summary.p99 };
}

/**
 * A pool of worker threads for `threaded` functions, started by its first call. spry keeps one
 * per process, `threadPool`, shared by the apps that have no pool of their own; an app given
 * `threads` options owns one (`app.threads`), and its shutdown closes that one only.
 *
 * @example
 * const pool = new ThreadPool({ size: 4, maxQueue: 200 });
 * await hashPassword.with({ pool })("secret");
 * await pool.close();
 */
export class ThreadPool {
  #options: Required<ThreadPoolOptions>;
  #logger: Logger | undefined;
  #pool: Piscina | undefined;
  #inFlight = 0;
  readonly #counts = { completed: 0, failed: 0, crashed: 0, cancelled: 0, rejected: 0 };
  // Apps that made calls on this pool and have not shut down: the last to go closes it.
  readonly #users = new Set<object>();

  constructor(options: ThreadPoolOptions = {}, logger?: Logger) {
    this.#options = defaults(options);
    this.#logger = logger;
  }

  /**
   * Sets the pool's size and queue limit. A pool already started with other settings is
   * closed (its running calls finish) and the next call starts one with these.
   */
  configure(given: ThreadPoolOptions): void {
    const next = defaults(given);
    const changed = next.size !== this.#options.size || next.maxQueue !== this.#options.maxQueue;
    this.#options = next;
    if (changed && this.#pool !== undefined) void this.close();
  }

  /** Where pool-level events (a thread dying between calls) are logged. */
  useLogger(next: Logger): void {
    this.#logger = next;
  }

  #start(): Piscina {
    // Loaded with the first call: apps that never use the pool do not pay for piscina.
    const { Piscina } = require("piscina") as typeof import("piscina");
    const created = new Piscina({
      filename: WORKER_ENTRY,
      minThreads: this.#options.size,
      maxThreads: this.#options.size,
      // spry enforces maxQueue itself: piscina does not count calls with a signal against its own.
      maxQueue: Infinity,
      // Between calls the thread's event loop keeps running (timers, unawaited promises), which
      // piscina's default synchronous Atomics.wait would freeze.
      atomics: "async",
      closeTimeout: 10_000,
      workerData: { [POOL_WORKER]: true, spry: { runTask: RUN_TASK } },
    });
    // A thread dying while it runs nothing (an error thrown by a timer left behind) reaches
    // here; unhandled, piscina's 'error' event would take the whole process down.
    created.on("error", (error: unknown) => {
      this.#counts.crashed++;
      (this.#logger ??= createLogger()).error({ err: error }, "A worker thread died between calls; it has been replaced");
    });
    return created;
  }

  /**
   * Runs the function `ref` names on a thread of this pool, started on first use, with `args`
   * copied (or moved, through `transferList`) to the thread. Resolves to what the function
   * returns; rejects with its error (same name and message), WorkerCrashed if the thread died,
   * PoolSaturated (503) at once if the queue is full, a TypeError naming the function if an
   * argument cannot be copied, or the signal's reason if cancelled. `user`, an app, keeps the
   * pool open until it releases it.
   */
  run(ref: ModuleFunctionRef, args: unknown[], runOptions: PoolRunOptions = {}, user?: object): Promise<unknown> {
    const { signal } = runOptions;
    const counts = this.#counts;
    if (signal?.aborted === true) {
      counts.cancelled++;
      return Promise.reject(signal.reason);
    }
    if (user !== undefined && !this.#users.has(user)) this.#users.add(user);
    const current = (this.#pool ??= this.#start());
    if (current.queueSize >= this.#options.maxQueue) {
      counts.rejected++;
      return Promise.reject(new PoolSaturated(this.#options.retryAfter));
    }
    const cancellable = signal !== undefined && runOptions.terminate !== true;
    // Shared with the thread, which sets it as the call starts: only a queued call is aborted in
    // piscina, since piscina aborting a running call terminates its thread.
    const started = cancellable ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const dequeue = cancellable ? new AbortController() : undefined;
    const task: PoolTask = { module: ref.module, name: ref.name, args, started };
    this.#inFlight++;
    const settled = current
      .run(task, { signal: dequeue?.signal ?? signal ?? null, transferList: runOptions.transferList as unknown as PiscinaTransferList })
      .then(
        (value: unknown) => {
          this.#inFlight--;
          counts.completed++;
          return value;
        },
        (error: unknown) => {
          this.#inFlight--;
          throw this.#classify(ref, error, signal);
        },
      );
    if (!cancellable) return settled;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (Atomics.load(started!, 0) === 0) dequeue!.abort(signal.reason);
        else counts.cancelled++;
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      settled.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  #classify(ref: ModuleFunctionRef, error: unknown, signal: AbortSignal | undefined): unknown {
    const counts = this.#counts;
    if (isThrownInWorker(error)) {
      counts.failed++;
      return restoreError(error);
    }
    if (error instanceof Error && error.name === "AbortError") {
      counts.cancelled++;
      return signal?.reason ?? error;
    }
    // Thrown by postMessage in this thread: the arguments could not be copied.
    if (error instanceof DOMException && error.name === "DataCloneError") {
      counts.failed++;
      return notCloneable(ref, error);
    }
    counts.crashed++;
    return new WorkerCrashed(ref, error);
  }

  /** A snapshot for metrics and health checks. */
  stats(): ThreadPoolStats {
    const pool = this.#pool;
    const counts = this.#counts;
    const queued = pool?.queueSize ?? 0;
    const completedRuns = counts.completed + counts.failed;
    return {
      started: pool !== undefined,
      size: this.#options.size,
      maxQueue: this.#options.maxQueue,
      running: Math.max(0, this.#inFlight - queued),
      queued,
      ...counts,
      waitTime: percentiles(pool?.histogram.waitTime, completedRuns + counts.crashed),
      runTime: percentiles(pool?.histogram.runTime, completedRuns),
    };
  }

  /**
   * `user` (an app shutting down) no longer needs the pool: once no user that made calls on it
   * is left, the pool is closed. An app that never called it closes nothing.
   */
  async release(user: object): Promise<void> {
    if (!this.#users.delete(user) || this.#users.size > 0) return;
    await this.close();
  }

  /** Lets running calls finish (10 s at most), then stops the threads. A no-op if none started. */
  async close(): Promise<void> {
    const closing = this.#pool;
    this.#pool = undefined;
    if (closing !== undefined) await closing.close();
  }
}

/**
 * The process's shared pool: `threaded` functions called outside a route use it, and so do the
 * routes of every app given no `threads` options of its own. An app's shutdown closes it once no
 * other running app has calls on it.
 *
 * @example
 * threadPool.configure({ size: 4, maxQueue: 200 });
 * app.get("/metrics/threads", () => threadPool.stats());
 */
export const threadPool = new ThreadPool();

/** Runs `ref` on `pool` (the shared one by default). See ThreadPool.run. */
export function runInPool(ref: ModuleFunctionRef, args: unknown[], runOptions: PoolRunOptions = {}, pool: ThreadPool = threadPool, user?: object): Promise<unknown> {
  return pool.run(ref, args, runOptions, user);
}
