import { HTTPException } from "../common/http-exception.ts";
import { isPromise } from "../common/is-promise.ts";
import type { Handle } from "./middleware.ts";
import { requestFields, type SpryRequest } from "./request.ts";
import { ExceptionHandlerFailed, httpExceptionResponse, internalError } from "./error-response.ts";
import type { ResponseLike } from "./response.ts";
import { ClientDisconnected } from "./signals.ts";

/** Answers for an error: the response to send instead of spry's default. */
export type ExceptionHandler<E = any> = (error: E, request: SpryRequest<any>) => ResponseLike | Promise<ResponseLike>;

export type ErrorClass<E = unknown> = abstract new (...args: any[]) => E;

/**
 * Handlers by status code and by error class, looked up as Starlette does: an HTTPException's
 * status first, then the error's class and its ancestors, nearest first; any other error
 * falls to a 500 handler if there is one.
 */
export class ExceptionHandlers {
  readonly #byStatus = new Map<number, ExceptionHandler>();
  readonly #byClass = new Map<Function, ExceptionHandler>();

  add(key: number | ErrorClass, handler: ExceptionHandler): void {
    if (typeof key === "number") this.#byStatus.set(key, handler);
    else this.#byClass.set(key, handler);
  }

  get size(): number {
    return this.#byStatus.size + this.#byClass.size;
  }

  find(error: unknown): ExceptionHandler | undefined {
    if (error instanceof HTTPException) {
      const byStatus = this.#byStatus.get(error.status);
      if (byStatus !== undefined) return byStatus;
    }
    if (error !== null && typeof error === "object") {
      for (let proto = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
        const handler = this.#byClass.get(proto.constructor);
        if (handler !== undefined) return handler;
      }
    }
    return error instanceof HTTPException ? undefined : this.#byStatus.get(500);
  }

  /**
   * The response for `error`: the app's handler for it, else an HTTPException as
   * `{"detail": ...}` with its status and headers. Anything else is thrown on, for the 500.
   * The request's background tasks are dropped: its error response carries none, as in Starlette.
   */
  respond(error: unknown, request: SpryRequest<any>): ResponseLike | Promise<ResponseLike> {
    request.usedScope?.discardTasks();
    if (error instanceof ClientDisconnected) throw error;
    const handler = this.#byStatus.size + this.#byClass.size > 0 ? this.find(error) : undefined;
    if (handler !== undefined) return this.#handle(handler, error, request);
    if (error instanceof HTTPException) return httpExceptionResponse(error);
    throw error;
  }

  async #handle(handler: ExceptionHandler, error: unknown, request: SpryRequest<any>): Promise<ResponseLike> {
    try {
      return await handler(error, request);
    } catch (failure) {
      request.config.logger.error({ err: failure, cause: error, route: request.routeName, ...requestFields(request) }, "An exception handler failed");
      throw failure instanceof HTTPException ? failure : new ExceptionHandlerFailed(failure);
    }
  }
}

/**
 * The innermost layer, around routing, as Starlette's ExceptionMiddleware: an error raised by
 * routing or an endpoint becomes the response of its exception handler or of its
 * HTTPException, and any other error the logged 500 (error-response.ts), here rather than
 * only in the outermost layer as Starlette does, so that middleware sees the 500 as it sees
 * any other response (CORS headers on a 500, say). server-errors.ts answers what middleware
 * itself throws.
 */
export function handleExceptions<R extends SpryRequest<any>>(handlers: ExceptionHandlers, inner: Handle<R>): Handle<R> {
  return (request) => {
    let result: ResponseLike | Promise<ResponseLike>;
    try {
      result = inner(request);
    } catch (error) {
      return answerException(handlers, request, error);
    }
    if (!isPromise(result)) return result;
    return result.then(undefined, (error: unknown) => answerException(handlers, request, error));
  };
}

/**
 * The response for an error raised by routing or an endpoint: its exception handler's, an
 * HTTPException's, else the logged 500 (also server-errors.ts's, when it stands for this layer).
 */
export function answerException<R extends SpryRequest<any>>(handlers: ExceptionHandlers, request: R, error: unknown): ResponseLike | Promise<ResponseLike> {
  let handled: ResponseLike | Promise<ResponseLike>;
  try {
    handled = handlers.respond(error, request);
  } catch (unhandled) {
    return internalError(request, unhandled);
  }
  return isPromise(handled) ? handled.then(undefined, (unhandled: unknown) => internalError(request, unhandled)) : handled;
}
