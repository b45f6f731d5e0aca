import { addAbortWaiter, removeAbortWaiter, type AbortWaiter } from "./abort-waiters.ts";

/**
 * Waits `ms` milliseconds without blocking the event loop, the article's `asyncio.sleep`.
 * With a signal, the wait ends early with the signal's reason when it aborts, so a handler
 * whose client left stops waiting at once.
 *
 * @example
 * app.get("/slow", async (_, { signal }) => {
 *   await sleep(5000, { signal });
 *   return { done: true };
 * });
 */
export function sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  // Like asyncio.sleep(0): no timer, only the yield of an await; of a promise made once, so
  // that a handler's `await sleep(0)` allocates nothing (no async function's promise per call).
  if (!(ms > 0)) return DONE;
  if (signal === undefined) return new Promise<void>((resolve) => setTimeout(resolve, ms));
  let resolve!: Resolve;
  const waiting = new Promise<void>((yes) => (resolve = yes));
  // A request's own signal tells its waiters without a listener (abort-waiters.ts).
  const wait = new OwnWait(signal, resolve);
  if (addAbortWaiter(signal, wait)) wait.start(ms);
  else listenFor(ms, signal, resolve);
  return waiting;
}

const DONE: Promise<void> = Promise.resolve();

// An abort settles the wait by resolving it with a rejected promise, so that only the
// promise's resolve function is kept while it waits: its reject function, a closure of 56 B,
// is dropped at once.
type Resolve = (value: void | PromiseLike<void>) => void;
const aborted = (resolve: Resolve, reason: unknown): void => resolve(Promise.reject(reason));

/**
 * A sleep on a request's own signal, what it keeps while it waits: this object, and as the
 * timer's callback its `wake` bound to it. One promise, a timer and these, rather than an async
 * function around node:timers/promises' setTimeout, whose generator, promise, awaits and bound
 * listener were about a tenth of what a parked `/slow_task/` request kept; and rather than a
 * closure for the timer and the abort, whose context held the signal, both of the promise's
 * functions, the timer and the closure itself: 96 B a parked request here against 192 B
 * (heap snapshots of 1,000 and 5,000 parked, bench/parked-heap.mjs).
 */
class OwnWait implements AbortWaiter {
  readonly #signal: AbortSignal;
  readonly #resolve: Resolve;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(signal: AbortSignal, resolve: Resolve) {
    this.#signal = signal;
    this.#resolve = resolve;
  }

  start(ms: number): void {
    this.#timer = setTimeout(OwnWait.#wake.bind(this), ms);
  }

  // Static: a private instance method would give every instance a slot more (its brand).
  static #wake(this: OwnWait): void {
    removeAbortWaiter(this.#signal, this);
    this.#resolve();
  }

  aborted(reason: Error): void {
    clearTimeout(this.#timer);
    aborted(this.#resolve, reason);
  }
}

// Any other signal: one listener, which is the timer's callback too (a timer calls it with no
// argument, an abort with the event). Not an object with handleEvent: Node's EventTarget wraps
// such a listener in an async function of its own.
function listenFor(ms: number, signal: AbortSignal, resolve: Resolve): void {
  const settle = (event?: Event) => {
    if (event === undefined) {
      signal.removeEventListener("abort", settle);
      resolve();
    } else {
      clearTimeout(timer);
      aborted(resolve, signal.reason);
    }
  };
  const timer = setTimeout(settle, ms);
  signal.addEventListener("abort", settle, { once: true });
}
