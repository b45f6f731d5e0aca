import { AsyncLocalStorage } from "node:async_hooks";
import type { SpryRequest } from "./request.ts";

// Node 20's AsyncLocalStorage slows every promise in the process once it is first entered,
// so it is entered only by apps that ask for it (`requestContext: true`).
const storage = new AsyncLocalStorage<SpryRequest<any>>();

/**
 * The context of the request being handled, from anywhere below it (a logger, a data layer),
 * through AsyncLocalStorage. It survives middleware and every await, and two concurrent
 * requests never see each other's. Needs `new Spry({ requestContext: true })`.
 *
 * @example
 * const app = new Spry({ requestContext: true });
 * function audit(message: string) {
 *   const ctx = currentContext();
 *   console.log(`${ctx.method} ${ctx.path}: ${message}`);
 * }
 */
export function currentContext(): SpryRequest<any> {
  const ctx = storage.getStore();
  if (ctx === undefined) {
    throw new Error("currentContext() is available only while a request is handled, in an app created with { requestContext: true }");
  }
  return ctx;
}

/** Runs `fn` with `ctx` as the current context. */
export function withContext<T>(ctx: SpryRequest<any>, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The current context, or undefined outside a request (or in an app without request contexts). */
export function peekContext(): SpryRequest<any> | undefined {
  return storage.getStore();
}
