import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What the server and the app learn about one node:http request and share for its logs: the
 * server gives it an id (server/access-log.ts), the app notes the route it matched. Kept on the
 * request under a symbol of this module's, so that neither layer imports the other and a
 * request whose server keeps no facts costs one missed property read. (A WeakMap, the first
 * design, cost about 3% of a small route's CPU time in its set and the collector's work.)
 */
export interface RequestFacts {
  /** From a trusted client's X-Request-ID, else generated; echoed in the response's X-Request-ID. */
  readonly requestId: string;
  /** The matched route's template (`/items/{item_id}`), once the app has routed the request. */
  route?: string | undefined;
  /**
   * performance.now() as the server took the request (server/access-log.ts, for its line), in
   * the synchronous stretch that hands it to the app: the dispatcher times that stretch for
   * the blocking monitor from it rather than reading the clock again (toolkit/dispatch.ts).
   */
  readonly start?: number;
}

const FACTS = Symbol("spry.requestFacts");

type Carrier = { [FACTS]?: RequestFacts };

export function setRequestFacts(req: object, value: RequestFacts): void {
  (req as Carrier)[FACTS] = value;
}

export function requestFacts(req: object): RequestFacts | undefined {
  return (req as Carrier)[FACTS];
}

/**
 * Whether entering an AsyncLocalStorage per request is cheap here: on Node 24 and later, and on
 * Node 22 started with --experimental-async-context-frame (its AsyncContextFrame, a pointer
 * carried by each promise) it cost about 0.3 µs a request; otherwise the first entry switches
 * on async hooks that slow every promise of the process from then on.
 */
export const requestScopes: boolean = (() => {
  const versions = process.versions as { node?: string; bun?: string };
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (flags.includes("--no-async-context-frame") || flags.includes("--no-experimental-async-context-frame")) return false;
  return Number(versions.node?.split(".")[0]) >= 24 || flags.includes("--experimental-async-context-frame");
})();

const current = new AsyncLocalStorage<RequestFacts>();

/**
 * Calls `fn` as the handling of the request `value` describes: everything it starts, awaits
 * and schedules (the handler, its dependencies' teardowns, background tasks) sees
 * currentRequestId(). Where that is not cheap (requestScopes), calls it as it is.
 */
export function inRequestScope<A extends unknown[]>(value: RequestFacts, fn: (...args: A) => void, ...args: A): void {
  if (requestScopes) current.run(value, fn, ...args);
  else fn(...args);
}

/**
 * Makes the request `value` describes the one being handled for the rest of the current
 * callback and everything it starts, as inRequestScope does, but without leaving the scope
 * afterwards: only for a listener that node calls in a callback scope of its own (a "request"
 * event, emitted from the HTTP parser's callback), which puts the previous frame back when the
 * callback returns. AsyncLocalStorage's run() does that itself by entering a second frame, a
 * copy of the first, so this costs one frame where run() costs two (about half of run's time
 * on Node 24, and its ~0.4 KB a request).
 */
export function enterRequestScope(value: RequestFacts): void {
  if (requestScopes) current.enterWith(value);
}

/**
 * The id of the request being handled (its `X-Request-ID`), from anywhere below it; undefined
 * outside one, or on Node 22 without its context-frame flag, which `spry run` turns on
 * (server/context-frame.ts; docs/server.md). spry's own logger adds it to
 * every line as `requestId`; with a logger of your own, pino's `mixin` does the same:
 *
 * @example
 * const logger = pino({ mixin: () => ({ requestId: currentRequestId() }) });
 */
export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}
