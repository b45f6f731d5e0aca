// Waiters on a signal that spry aborts itself (a request's, toolkit/request.ts): sleep is told of
// the abort by a call from the request rather than by an EventTarget listener. Node makes a
// signal's listener Map and a Listener object on its first addEventListener, about 300 B that a
// request parked in `sleep(ms, { signal })` kept for as long as it waited (heap snapshots with
// 5,000 parked `/slow_task/` requests); this is one property on the signal.

const WAITERS = Symbol("spry.abortWaiters");

/** What waits on a request's own signal; an object, so that a waiter needs no closure (sleep.ts). */
export interface AbortWaiter {
  /** Called once, with the abort's reason (an Error, never undefined). */
  aborted(reason: Error): void;
}

type Carrier = { [WAITERS]?: AbortWaiter | AbortWaiter[] | null };

/** Marks `signal` as one whose aborts are told to its waiters by abortWaiters. */
export function ownSignal(signal: AbortSignal): void {
  (signal as Carrier)[WAITERS] = null;
}

/** Adds `waiter` for `signal`'s abort; false if the signal is not one of spry's own (listen to it instead). */
export function addAbortWaiter(signal: AbortSignal, waiter: AbortWaiter): boolean {
  const carrier = signal as Carrier;
  const waiters = carrier[WAITERS];
  if (waiters === undefined) return false;
  if (waiters === null) carrier[WAITERS] = waiter;
  else if (Array.isArray(waiters)) waiters.push(waiter);
  else carrier[WAITERS] = [waiters, waiter];
  return true;
}

/** Removes `waiter`; false if the signal is not one of spry's own. */
export function removeAbortWaiter(signal: AbortSignal, waiter: AbortWaiter): boolean {
  const carrier = signal as Carrier;
  const waiters = carrier[WAITERS];
  if (waiters === undefined) return false;
  if (waiters === waiter) carrier[WAITERS] = null;
  else if (Array.isArray(waiters)) {
    const at = waiters.indexOf(waiter);
    if (at !== -1) waiters.splice(at, 1);
  }
  return true;
}

/** Tells each of `signal`'s waiters, once, that it aborted with `reason`. */
export function abortWaiters(signal: AbortSignal, reason: Error): void {
  const carrier = signal as Carrier;
  const waiters = carrier[WAITERS];
  if (waiters === undefined || waiters === null) return;
  carrier[WAITERS] = null;
  if (Array.isArray(waiters)) for (const waiter of waiters) waiter.aborted(reason);
  else waiters.aborted(reason);
}
