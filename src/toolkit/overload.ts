import { HTTPException } from "../common/http-exception.ts";
import type { LoopMonitor } from "./event-loop.ts";
import type { RequestCounters } from "./stats.ts";

/**
 * What an app does when more arrives than it can serve. Every limit is off by default;
 * each one answers 503 with Retry-After at once, the cheapest answer there is, instead of
 * queueing work that will be late anyway (Uvicorn's limit-concurrency, Fastify's under-pressure).
 */
export interface OverloadOptions {
  /** Most requests in flight at once; one more is answered 503 at once. */
  maxConcurrency?: number;
  /** While the event loop's delay is at least this many milliseconds, new requests get 503. */
  maxEventLoopDelay?: number;
  /** While the V8 heap in use is at least this many bytes, new requests get 503. */
  maxHeapUsed?: number;
  /** Seconds a refused client is told to wait, in Retry-After (default 1). */
  retryAfter?: number;
}

/** The 503 of a refused request; exception handlers for 503 or HTTPException see it. */
export class ServiceUnavailable extends HTTPException {
  constructor(reason: string, retryAfter: number) {
    super(503, reason, { "retry-after": String(retryAfter) });
    this.name = "ServiceUnavailable";
  }
}

/** Decides, per request and before any routing, whether the app takes it. */
export class Overload {
  readonly maxConcurrency: number;
  readonly #maxDelay: number;
  readonly #maxHeap: number;
  readonly #retryAfter: number;
  readonly #counters: RequestCounters;
  readonly #monitor: LoopMonitor;

  constructor(options: OverloadOptions, monitor: LoopMonitor, counters: RequestCounters) {
    this.maxConcurrency = positive(options.maxConcurrency, "maxConcurrency") ?? Infinity;
    this.#maxDelay = positive(options.maxEventLoopDelay, "maxEventLoopDelay") ?? Infinity;
    this.#maxHeap = positive(options.maxHeapUsed, "maxHeapUsed") ?? Infinity;
    this.#retryAfter = positive(options.retryAfter, "retryAfter") ?? 1;
    this.#counters = counters;
    this.#monitor = monitor;
    if (this.#maxHeap !== Infinity) monitor.watchHeap();
  }

  /** Whether shedding needs the loop monitor's readings. */
  get shedding(): boolean {
    return this.#maxDelay !== Infinity || this.#maxHeap !== Infinity;
  }

  /** Whether a new request may go on when `inFlight` are already being handled: its 503 when not. */
  admit(inFlight: number): ServiceUnavailable | undefined {
    if (inFlight >= this.maxConcurrency) {
      this.#counters.rejected++;
      return new ServiceUnavailable("Too many requests in flight", this.#retryAfter);
    }
    if (this.#monitor.delay >= this.#maxDelay || this.#monitor.heapUsed >= this.#maxHeap) {
      this.#counters.shed++;
      return new ServiceUnavailable("Server overloaded", this.#retryAfter);
    }
    return undefined;
  }
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value > 0)) throw new RangeError(`overload.${name} must be a positive number, got ${value}`);
  return value;
}
