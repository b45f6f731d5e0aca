import { isPromise } from "../common/is-promise.ts";
import type { SpryRequest } from "./request.ts";
import { SpryResponse, type ResponseLike } from "./response.ts";

/** Calls the rest of the chain (inner middleware, then routing and the endpoint) and gives its response. */
export type Next = () => Promise<SpryResponse>;

/**
 * The one signature of every layer around routing, as Hono's and Koa's: the request, and the
 * rest of the chain. Middleware answers by returning a response: by itself (a CORS preflight,
 * a refused host) without calling `next`, or the one `next()` gave, read or changed (headers
 * added, the body compressed) or replaced. Responses from errors and 404s come back through
 * `next()` too. A Fetch API Response may be returned; `next()` always gives a SpryResponse.
 *
 * @example
 * const timing: Middleware = async (request, next) => {
 *   const start = performance.now();
 *   const response = await next();
 *   response.headers["server-timing"] = `app;dur=${performance.now() - start}`;
 *   return response;
 * };
 * app.use(timing);
 */
export type Middleware<Request extends SpryRequest<any> = SpryRequest<any>> = (request: Request, next: Next) => ResponseLike | Promise<ResponseLike>;

/** A layer's inner part: from a request to its response, synchronous where it can be. */
export type Handle<Request extends SpryRequest<any> = SpryRequest<any>> = (request: Request) => ResponseLike | Promise<ResponseLike>;

/**
 * Chains middleware around `inner`, outermost first. Built once, when the chain changes, not
 * per request; a `next` called twice is an error, as in Koa.
 */
export function compose<Request extends SpryRequest<any>>(middleware: readonly Middleware<Request>[], inner: Handle<Request>): (request: Request) => Promise<SpryResponse> {
  return (request) => {
    let last = -1;
    const step = async (i: number): Promise<SpryResponse> => {
      if (i <= last) throw new Error("next() called more than once by one middleware");
      last = i;
      if (i === middleware.length) return asSpryResponse(await inner(request), "The endpoint");
      return asSpryResponse(await middleware[i]!(request, () => step(i + 1)), "A middleware");
    };
    return step(0);
  };
}

/** A layer's result as a SpryResponse that middleware can read and change. */
export function asSpryResponse(result: ResponseLike | undefined, who: string): SpryResponse {
  if (result instanceof SpryResponse) return result;
  if (result instanceof Response) return SpryResponse.from(result);
  throw new TypeError(`${who} returned ${result === undefined ? "nothing" : typeof result} instead of a response: return next(), or a SpryResponse or Response of its own`);
}

/** Whether a layer's result must be awaited. */
export function pending(result: ResponseLike | Promise<ResponseLike>): result is Promise<ResponseLike> {
  return isPromise(result);
}
