import { createHook, type AsyncHook } from "node:async_hooks";
import { createHistogram, performance, type RecordableHistogram } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import type { Logger } from "../common/logger.ts";
import { peekContext } from "./request-context.ts";
import type { RequestCounters } from "./stats.ts";

/** How spry watches for code that blocks the event loop. */
export interface BlockingOptions {
  /**
   * Report any stretch of synchronous work on the event loop at least this long, in
   * milliseconds, naming the route that ran it (default 100; 0 turns reporting off).
   */
  threshold?: number;
  /**
   * Time every callback the loop runs (async_hooks), so that a block after an `await` is
   * named exactly. Costs a few percent on every promise, so it defaults to on under
   * `spry dev` only; otherwise blocks in a handler's first synchronous stretch are named
   * exactly and later ones by the routes that were in flight.
   */
  trace?: boolean;
}

/** What the event loop looks like now, for `app.stats()` and load shedding. */
export interface LoopStats {
  /** How late the monitor's last tick ran, in milliseconds: the loop's current delay. */
  delay: number;
  /** Percentiles of the delay since the monitor started, in milliseconds. */
  p50: number;
  p99: number;
  max: number;
  /** V8 heap in use, in bytes (at the last tick, when load shedding watches it). */
  heapUsed: number;
}

// Often enough that load shedding reacts within a tick of the loop recovering; each tick is a
// few microseconds.
const TICK_MS = 50;

/**
 * Measures the event loop from a timer that should run every TICK_MS: how late it runs is how
 * long the loop was busy. Reports blocks over the threshold with the route that caused them,
 * and feeds load shedding. The timer is unref'd, so it never keeps a process alive.
 */
export class LoopMonitor {
  delay = 0;
  heapUsed = 0;
  readonly #threshold: number;
  readonly #logger: Logger;
  readonly #counters: RequestCounters;
  readonly #inFlight: () => Iterable<string>;
  readonly #trace: boolean;
  // One array, emptied at each tick rather than replaced: the push in finished(), which V8
  // inlines into dispatch's #run, met a new array's map after each tick that had emptied it and
  // deoptimised #run ("wrong map", --trace-deopt-verbose), whenever a turn of the loop outlasted
  // the threshold: under load on a shared core, and under callgrind at 50 connections.
  readonly #finishedLate: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #expected = 0;
  #lastReport = -Infinity;
  // The delays of the monitor's own ticks, in nanoseconds. Not monitorEventLoopDelay: it runs
  // a second timer beside the tick, every 10 ms, and on Bun its wake-ups cost an idle server
  // 7-10 ms of CPU a second against 2-5 ms without it, and a busy one a few percent.
  #histogram: RecordableHistogram | undefined;
  #hook: AsyncHook | undefined;
  // Read every tick only for load shedding (maxHeapUsed): on Bun, reading the heap's size walks
  // the heap, and at 20 readings a second it took more than half of a busy server's CPU time.
  #watchHeap = false;

  constructor(options: { threshold: number; trace: boolean; logger: Logger; counters: RequestCounters; inFlight: () => Iterable<string> }) {
    this.#threshold = options.threshold;
    this.#trace = options.trace;
    this.#logger = options.logger;
    this.#counters = options.counters;
    this.#inFlight = options.inFlight;
  }

  /** Whether every request must run inside its context, for the trace to find it. */
  get tracing(): boolean {
    return this.#trace && this.#threshold > 0;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#histogram = createHistogram();
    if (this.#watchHeap) this.heapUsed = getHeapStatistics().used_heap_size;
    if (this.tracing) this.#hook = traceCallbacks(this.#threshold, (route, ms) => this.report(route, ms, "exact")).enable();
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#hook?.disable();
    this.#hook = undefined;
  }

  stats(): LoopStats {
    const h = this.#histogram;
    const ms = (ns: number | undefined) => (h === undefined || !Number.isFinite(ns) ? 0 : ns! / 1e6);
    const heapUsed = this.#watchHeap ? this.heapUsed : getHeapStatistics().used_heap_size;
    return { delay: this.delay, p50: ms(h?.percentile(50)), p99: ms(h?.percentile(99)), max: ms(h?.max), heapUsed };
  }

  /** Keeps `heapUsed` current from every tick, for load shedding by heap size. */
  watchHeap(): void {
    if (this.#watchHeap) return;
    this.#watchHeap = true;
    if (this.running) this.heapUsed = getHeapStatistics().used_heap_size;
  }

  /**
   * Called as a request finishes: if the loop is overdue for a tick by more than the threshold
   * right now, the stretch that just ended was long, and this request ran in it. `now`: the
   * clock as the caller just read it, if it did.
   */
  finished(request: { readonly routeName: string }, now = performance.now()): void {
    if (this.#threshold > 0 && this.#timer !== undefined && now - this.#expected >= this.#threshold) {
      this.#finishedLate.push(request.routeName);
    }
  }

  /**
   * Logs that `route` kept the loop busy for `ms`. "exact" reports come from timing the
   * blocking callback itself; a late tick is reported only when nothing exact explained it.
   */
  report(route: string | undefined, ms: number, how: "exact" | "suspected"): void {
    if (this.#threshold <= 0 || ms < this.#threshold) return;
    this.#lastReport = performance.now();
    this.#counters.blocked++;
    const blockedMs = Math.round(ms);
    if (how === "exact") {
      const where = route ?? "code outside any request";
      this.#logger.warn({ route, blockedMs }, `${where} blocked the event loop for ${blockedMs} ms; move the blocking work off the loop (an async API, or threaded())`);
      return;
    }
    const suspects = [...new Set([...this.#finishedLate, ...this.#inFlight()])];
    this.#logger.warn(
      { blockedMs, suspects },
      suspects.length === 0
        ? `The event loop was blocked for ${blockedMs} ms while no request was in flight`
        : `The event loop was blocked for ${blockedMs} ms while ${suspects.join(", ")} ${suspects.length === 1 ? "was" : "were"} in flight`,
    );
  }

  #schedule(): void {
    this.#expected = performance.now() + TICK_MS;
    this.#timer = setTimeout(this.#tick, TICK_MS);
    this.#timer.unref();
  }

  readonly #tick = (): void => {
    const now = performance.now();
    const late = Math.max(0, now - this.#expected);
    this.delay = late;
    // In nanoseconds, as monitorEventLoopDelay records; a histogram takes nothing under 1.
    this.#histogram?.record(Math.max(1, Math.round(late * 1e6)));
    if (this.#watchHeap) this.heapUsed = getHeapStatistics().used_heap_size;
    // An exact report since the previous tick already named this block.
    if (late >= this.#threshold && this.#lastReport < this.#expected - TICK_MS) this.report(undefined, late, "suspected");
    if (this.#finishedLate.length > 0) this.#finishedLate.length = 0;
    this.#schedule();
  };
}

// Times each callback the loop runs; the request context (AsyncLocalStorage, which dispatch
// enters when tracing) says whose code it was, even many awaits into a handler.
function traceCallbacks(threshold: number, report: (route: string | undefined, ms: number) => void): AsyncHook {
  let depth = 0;
  let start = 0;
  return createHook({
    before() {
      if (depth++ === 0) start = performance.now();
    },
    // Enabled from inside a callback, the hook sees that callback's "after" without its "before".
    after() {
      if (depth === 0 || --depth !== 0) return;
      const ms = performance.now() - start;
      if (ms < threshold) return;
      // An exception thrown from an async hook ends the process: a failing logger must not.
      try {
        report(peekContext()?.routeName, ms);
      } catch {}
    },
  });
}
