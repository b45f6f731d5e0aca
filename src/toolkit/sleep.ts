import { addAbortWaiter, removeAbortWaiter } from "./abort-waiters.ts";

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
  return waitFor(ms, signal);
}

const DONE: Promise<void> = Promise.resolve();

// One promise, a timer and (with a signal) one abort listener, rather than an async function
// around node:timers/promises' setTimeout: a handler parked in sleep holds this for as long as
// it waits, and the wrapper (its generator, promise, awaits and bound listener) was about a
// tenth of what a parked `/slow_task/` request kept on the heap. The listener is the timer's
// callback too (a timer calls it with no argument, an abort with the event): a closure fewer
// per sleep. Not an object with handleEvent: Node's EventTarget wraps such a listener in an
// async function of its own. What the listener needs lives in this function's own scope, not
// in the promise executor's: one context kept per waiting sleep instead of two (40 B of a
// parked request, heap snapshots of 1,000 and 5,000 parked `/slow_task/` requests).
function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise<void>((resolve) => setTimeout(resolve, ms));
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const waiting = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  const settle = (event?: Event | Error) => {
    if (event === undefined) {
      if (!removeAbortWaiter(signal, settle)) signal.removeEventListener("abort", settle);
      resolve();
    } else {
      clearTimeout(timer);
      reject(signal.reason);
    }
  };
  const timer = setTimeout(settle, ms);
  // A request's own signal tells its waiters without a listener (abort-waiters.ts).
  if (!addAbortWaiter(signal, settle)) signal.addEventListener("abort", settle, { once: true });
  return waiting;
}
