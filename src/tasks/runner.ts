import type { Logger } from "../common/logger.ts";
import type { TaskBackend } from "./task.ts";

/** Why a background task did not run: it was cut off by shutdown, running or before it started. */
export interface CutOff {
  readonly route: string;
  readonly task: string;
  readonly state: "running" | "not started";
}

/**
 * One request's tasks as the runner tracks them: each is its own link in the runner's list of
 * pending ones (Pending), so that tracking a request's tasks allocates nothing.
 */
export interface TrackedTasks {
  /** Tasks added and not yet finished. */
  readonly size: number;
  /** Stops before the next task and aborts the running one's signal; says what was cut off. */
  cutOff(reason: Error): CutOff[];
  /** Its neighbours in the runner's list, and whether it is on it: the runner's alone to set. @internal */
  pendingPrev: TrackedTasks | undefined;
  /** @internal */ pendingNext: TrackedTasks | undefined;
  /** @internal */ pendingListed: boolean;
}

/** How long app.shutdown() waits for background tasks when it is given no signal: 10 s. */
export const DEFAULT_TASKS_TIMEOUT = 10_000;

/** How long shutdown waits for background tasks. */
export interface DrainOptions {
  /** Stop waiting when it aborts: serve() passes one that aborts at the end of its grace period. */
  signal?: AbortSignal | undefined;
  /** Stop waiting after this many milliseconds; default 10 s when there is no signal. */
  timeout?: number | undefined;
}

/** The reason a cut-off task's `run.signal` carries. */
export class TaskCutOff extends Error {
  override readonly name = "TaskCutOff";
  constructor() {
    super("The app shut down before this background task finished");
  }
}

/**
 * An app's background tasks: where they go (a queue backend, or this process), and, in process,
 * the requests whose tasks have not finished, so that shutdown can wait for them.
 */
export class TaskRunner {
  /** The queue tasks are stored on; undefined when they run in this process. */
  readonly backend: TaskBackend | undefined;
  readonly #logger: Logger;
  readonly #pending = new Pending();
  #idle: (() => void) | undefined;

  constructor(backend: TaskBackend | undefined, logger: Logger) {
    this.backend = backend;
    this.#logger = logger;
  }

  /** Tasks added in this process and not finished yet, over every request. */
  get pending(): number {
    let count = 0;
    for (const batch of this.#pending.batches()) count += batch.size;
    return count;
  }

  /** Counts `batch` as pending until it is given to untrack(). */
  track(batch: TrackedTasks): void {
    this.#pending.add(batch);
  }

  untrack(batch: TrackedTasks): void {
    if (!this.#pending.remove(batch)) return;
    if (this.#pending.size === 0) this.#idle?.();
  }

  /**
   * Waits for every pending in-process task, until `signal` aborts or `timeout` passes; then
   * logs each task it cut off by route and name and aborts the running ones' `run.signal`.
   * Tasks added meanwhile are waited for too.
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    if (this.#pending.size === 0) return;
    const { signal } = options;
    const timeout = options.timeout ?? (signal === undefined ? DEFAULT_TASKS_TIMEOUT : undefined);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const finished = await new Promise<boolean>((resolve) => {
      this.#idle = () => resolve(true);
      onAbort = () => resolve(false);
      if (timeout !== undefined) timer = setTimeout(onAbort, timeout);
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
    this.#idle = undefined;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort!);
    if (finished) return;
    const reason = new TaskCutOff();
    for (const batch of this.#pending.batches()) {
      for (const cut of batch.cutOff(reason)) {
        this.#logger.error({ route: cut.route, task: cut.task, state: cut.state }, `Shutdown cut off a background task (${cut.state})`);
      }
    }
    this.#pending.clear();
  }

  /** Releases the queue backend's connections, if there is one. */
  async close(): Promise<void> {
    await this.backend?.close();
  }
}

/**
 * The pending batches as a doubly linked list, in the order they were added, each batch its
 * own link. A Set did the same, but most requests' tasks are pending for a moment only, so its
 * size went from none to one and back for every request, and V8 reallocated its table each
 * time (about 300 bytes a request, bench/in-process.mjs --alloc); a link object per batch was
 * one allocation more than the batch's own fields. Only its last link is kept: the list (an
 * old object) given a request's batch (a young one) pays a write barrier for each field that
 * takes it, and a first-link field took it as often as the last did, for shutdown's walk alone.
 */
class Pending {
  #last: TrackedTasks | undefined;
  size = 0;

  add(batch: TrackedTasks): void {
    if (batch.pendingListed) return;
    batch.pendingListed = true;
    const last = this.#last;
    batch.pendingPrev = last;
    batch.pendingNext = undefined;
    if (last !== undefined) last.pendingNext = batch;
    this.#last = batch;
    this.size++;
  }

  /** False if `batch` was no longer listed (cleared by a shutdown, or removed already). */
  remove(batch: TrackedTasks): boolean {
    if (!batch.pendingListed) return false;
    batch.pendingListed = false;
    const prev = batch.pendingPrev;
    const next = batch.pendingNext;
    if (prev !== undefined) prev.pendingNext = next;
    if (next === undefined) this.#last = prev;
    else next.pendingPrev = prev;
    batch.pendingPrev = batch.pendingNext = undefined;
    this.size--;
    return true;
  }

  /** In the order they were added. */
  *batches(): Generator<TrackedTasks> {
    const listed: TrackedTasks[] = [];
    for (let batch = this.#last; batch !== undefined; batch = batch.pendingPrev) listed.push(batch);
    for (let i = listed.length - 1; i >= 0; i--) yield listed[i]!;
  }

  clear(): void {
    for (let batch = this.#last; batch !== undefined; ) {
      const prev = batch.pendingPrev;
      batch.pendingListed = false;
      batch.pendingPrev = batch.pendingNext = undefined;
      batch = prev;
    }
    this.#last = undefined;
    this.size = 0;
  }
}
