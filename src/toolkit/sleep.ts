import { setTimeout as wait } from "node:timers/promises";

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

async function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await wait(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    // timers/promises rejects with a generic AbortError; the signal's own reason says why.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
