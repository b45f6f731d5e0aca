import type { Context } from "./context.ts";

/** Calls the rest of the chain: inner middleware, then routing and the endpoint. */
export type Next = () => Promise<void>;

/**
 * The one signature of every layer around routing, as Hono's and Koa's: the request's context
 * and the rest of the chain. Middleware can answer by itself (a CORS preflight, a refused
 * host) without calling `next`, act before and after it, and change the response on its way
 * out with `ctx.onSend` (which sees responses from errors and 404s too).
 *
 * @example
 * const timing: Middleware = async (ctx, next) => {
 *   const start = performance.now();
 *   ctx.onSend((res) => { res.headers["server-timing"] = `app;dur=${performance.now() - start}`; });
 *   await next();
 * };
 * app.use(timing);
 */
export type Middleware = (ctx: Context, next: Next) => void | Promise<void>;

/**
 * Chains middleware around `inner`, outermost first. Built once, when the chain changes, not
 * per request; a `next` called twice is an error, as in Koa.
 */
export function compose(middleware: readonly Middleware[], inner: (ctx: Context) => void | Promise<void>): (ctx: Context) => Promise<void> {
  return (ctx) => {
    let last = -1;
    const step = async (i: number): Promise<void> => {
      if (i <= last) throw new Error("next() called more than once by one middleware");
      last = i;
      if (i === middleware.length) return inner(ctx);
      await middleware[i]!(ctx, () => step(i + 1));
    };
    return step(0);
  };
}
