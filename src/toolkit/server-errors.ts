import { isPromise } from "../common/is-promise.ts";
import { internalError } from "./error-response.ts";
import { answerException, type ExceptionHandlers } from "./exception-handlers.ts";
import { checkHeaders } from "./header-check.ts";
import { asSpryResponse, type Handle } from "./middleware.ts";
import type { SpryRequest } from "./request.ts";
import type { Sink } from "./route-table.ts";
import { cancelBody, SpryResponse, type ResponseLike } from "./response.ts";

/**
 * The outermost layer, as Starlette's ServerErrorMiddleware: whatever the layers outside the
 * innermost one throw (middleware, admission) becomes a response here, through the app's
 * exception handlers or as an HTTPException's `{"detail": ...}`, and anything else as the
 * logged 500 (error-response.ts). It is also where the final response is made whole: the
 * headers the handler set with `setHeader` put on, and every header checked
 * (docs/reliability.md row 19), so that a value that could split the response becomes a 500
 * before a byte is written. What leaves it can always be written.
 */
export class ServerErrors<R extends SpryRequest<any> = SpryRequest<any>> {
  readonly #handlers: ExceptionHandlers;
  readonly #inner: Handle<R>;
  readonly #innermost: boolean;
  readonly #into: InnerInto<R> | undefined;
  // The sink handed to `into` for the last writer given to handleInto (a server has one).
  #sink: Delivery<R> | undefined;

  /**
   * `innermost`: `inner` is the innermost layer itself (routing, with no middleware between):
   * its errors are answered here as exception-handlers.ts's handleExceptions would answer them
   * around it, in the same continuation as the check of the response, instead of a layer and
   * a promise of their own. `into`: that layer's Routing.into (routing.ts), which handleInto
   * calls instead, handing it the continuation: an endpoint with an `into` of its own then
   * makes, checks and delivers its response in one continuation, a promise and a microtask
   * fewer a request than its promise of the response and this layer's `then` on it.
   */
  constructor(handlers: ExceptionHandlers, inner: Handle<R>, innermost = false, into?: InnerInto<R>) {
    this.#handlers = handlers;
    this.#inner = inner;
    this.#innermost = innermost;
    this.#into = innermost ? into : undefined;
  }

  /** The request's final response; never throws, never rejects. */
  readonly handle = (request: R): ResponseLike | Promise<ResponseLike> => {
    let result: ResponseLike | Promise<ResponseLike>;
    try {
      result = this.#inner(request);
    } catch (error) {
      return this.#failed(request, error);
    }
    if (isPromise(result)) return result.then((response) => this.#whole(request, response), (error: unknown) => this.#failed(request, error));
    return this.#whole(request, result);
  };

  /**
   * As handle, handing the final response to `deliver` (a transport's writer, which must not
   * throw): for a pending response in the one continuation that also checks it, so that an
   * asynchronous endpoint costs the layers one promise, not one per layer. Returns a promise
   * while the response is pending, undefined once delivered.
   */
  handleInto(request: R, deliver: (request: R, response: ResponseLike) => void): Promise<void> | undefined {
    let result: ResponseLike | Promise<ResponseLike>;
    try {
      const into = this.#into;
      if (into === undefined) result = this.#inner(request);
      else {
        const settled = into(request, this.#sinkFor(deliver));
        // Not ready, or delivered already: the sink has it.
        if (settled === undefined || isPromise(settled)) return settled;
        result = settled;
      }
    } catch (error) {
      return this.failInto(request, error, deliver);
    }
    return this.settleInto(request, result, deliver);
  }

  #sinkFor(deliver: (request: R, response: ResponseLike) => void): Delivery<R> {
    const sink = this.#sink;
    return sink !== undefined && sink.deliver === deliver ? sink : (this.#sink = new Delivery(this, deliver));
  }

  /**
   * As handleInto, from what the inner layer returned for `request`: for a caller that ran the
   * inner layer's work itself (dispatch's direct path for app.bun's routes).
   */
  settleInto(request: R, result: ResponseLike | Promise<ResponseLike>, deliver: (request: R, response: ResponseLike) => void): Promise<void> | undefined {
    if (isPromise(result)) {
      return result.then(
        (response) => into(request, this.#whole(request, response), deliver),
        (error: unknown) => into(request, this.#failed(request, error), deliver),
      );
    }
    return into(request, this.#whole(request, result), deliver);
  }

  /** As handleInto, from the error the inner layer threw for `request`. */
  failInto(request: R, error: unknown, deliver: (request: R, response: ResponseLike) => void): Promise<void> | undefined {
    return into(request, this.#failed(request, error), deliver);
  }

  /** The response for an error raised outside the layers (admission): as if raised inside them. */
  answer(request: R, error: unknown): ResponseLike | Promise<ResponseLike> {
    let handled: ResponseLike | Promise<ResponseLike>;
    try {
      handled = this.#handlers.respond(error, request);
    } catch (unhandled) {
      return internalError(request, unhandled);
    }
    if (isPromise(handled)) return handled.then((response) => this.#whole(request, response, error), (unhandled: unknown) => internalError(request, unhandled));
    return this.#whole(request, handled, error);
  }

  // An error of the inner layer. Innermost: answered as handleExceptions answers it (its
  // handler, else an HTTPException's response, else the 500), then checked as any response the
  // inner layer returned; else (middleware threw) answered here.
  #failed(request: R, error: unknown): ResponseLike | Promise<ResponseLike> {
    if (!this.#innermost) return this.answer(request, error);
    const handled = answerException(this.#handlers, request, error);
    return isPromise(handled) ? handled.then((response) => this.#whole(request, response)) : this.#whole(request, handled);
  }

  // The setHeader headers on, and every header checked; a response that fails the check is
  // answered as an error in its turn, once: the 500 that replaces it always passes.
  #whole(request: R, response: ResponseLike, answering?: unknown): ResponseLike | Promise<ResponseLike> {
    // The Fetch API's Headers already refuse what checkHeaders would. (SpryResponse is tested
    // first on the hot paths: `instanceof Response` is a brand check that costs ~100 ns.)
    if (!(response instanceof SpryResponse) && response instanceof Response && request.usedScope?.hasHeaders !== true) return response;
    let whole: SpryResponse;
    try {
      whole = asSpryResponse(response, "The app");
      if (request.usedScope?.hasHeaders === true) request.scope.applyHeaders(whole);
      checkHeaders(whole.headers);
    } catch (error) {
      if (response instanceof SpryResponse || response instanceof Response) cancelBody(response.body);
      return answering === undefined ? this.answer(request, error) : internalError(request, error);
    }
    return whole;
  }
}

/** Routing.into (routing.ts): the innermost layer, given where a response not ready goes. */
export type InnerInto<R> = (request: R, sink: Sink<R>) => ResponseLike | Promise<void> | undefined;

// The sink of one writer: a response settled as settleInto settles one, an error as failInto.
class Delivery<R extends SpryRequest<any>> implements Sink<R> {
  readonly #errors: ServerErrors<R>;
  readonly deliver: (request: R, response: ResponseLike) => void;

  constructor(errors: ServerErrors<R>, deliver: (request: R, response: ResponseLike) => void) {
    this.#errors = errors;
    this.deliver = deliver;
  }

  respond(request: R, response: ResponseLike | Promise<ResponseLike>): Promise<void> | undefined {
    return this.#errors.settleInto(request, response, this.deliver);
  }

  fail(request: R, error: unknown): Promise<void> | undefined {
    return this.#errors.failInto(request, error, this.deliver);
  }
}

function into<R>(request: R, response: ResponseLike | Promise<ResponseLike>, deliver: (request: R, response: ResponseLike) => void): Promise<void> | undefined {
  if (isPromise(response)) return response.then((final) => deliver(request, final));
  deliver(request, response);
  return undefined;
}
