import type { Logger } from "../common/logger.ts";
import type { TaskBackend } from "./task.ts";

/** Why a background task did not run: it was cut off by shutdown, running or before it started. */
export interface CutOff {
  readonly route: string;
  readonly task: string;
  readonly state: "running" | "not started";
}

/** One request's tasks as the runner tracks them (TrackedTasks). */
export interface TrackedTasks {
  /** Tasks added and not yet finished. */
  readonly size: number;
  /** Stops before the next task and aborts the running one's signal; says what was cut off. */
  cutOff(reason: Error): CutOff[];
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

  /** Counts `batch` as pending until untrack() is given what this returns. */
  track(batch: TrackedTasks): Tracked {
    return this.#pending.add(batch);
  }

  untrack(tracked: Tracked): void {
    if (!this.#pending.remove(tracked)) return;
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

/** A pending batch's place among the others: what untrack() takes. */
export interface Tracked {
  readonly batch: TrackedTasks;
  /** @internal */ prev: Tracked | undefined;
  /** @internal */ next: Tracked | undefined;
  /** @internal */ listed: boolean;
}

/**
 * The pending batches as a doubly linked list, in the order they were added. A Set did the
 * same, but most requests' tasks are pending for a moment only, so its size went from none to
 * one and back for every request, and V8 reallocated its table each time (about 300 bytes a
 * request, bench/in-process.mjs --alloc); a link is one small object, and removing it none.
 */
class Pending {
  #first: Tracked | undefined;
  #last: Tracked | undefined;
  size = 0;

  add(batch: TrackedTasks): Tracked {
    const link: Tracked = { batch, prev: this.#last, next: undefined, listed: true };
    if (this.#last === undefined) this.#first = link;
    else this.#last.next = link;
    this.#last = link;
    this.size++;
    return link;
  }

  /** False if `link` was no longer listed (cleared by a shutdown, or removed already). */
  remove(link: Tracked): boolean {
    if (!link.listed) return false;
    link.listed = false;
    if (link.prev === undefined) this.#first = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.#last = link.prev;
    else link.next.prev = link.prev;
    link.prev = link.next = undefined;
    this.size--;
    return true;
  }

  *batches(): Generator<TrackedTasks> {
    for (let link = this.#first; link !== undefined; link = link.next) yield link.batch;
  }

  clear(): void {
    for (let link = this.#first; link !== undefined; ) {
      const next = link.next;
      link.listed = false;
      link.prev = link.next = undefined;
      link = next;
    }
    this.#first = this.#last = undefined;
    this.size = 0;
  }
}
