import { isPromise } from "../common/is-promise.ts";
import { internalError } from "./error-response.ts";
import { answerException, type ExceptionHandlers } from "./exception-handlers.ts";
import { checkHeaders } from "./header-check.ts";
import { asSpryResponse, type Handle } from "./middleware.ts";
import type { SpryRequest } from "./request.ts";
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

  /**
   * `innermost`: `inner` is the innermost layer itself (routing, with no middleware between):
   * its errors are answered here as exception-handlers.ts's handleExceptions would answer them
   * around it, in the same continuation as the check of the response, instead of a layer and
   * a promise of their own.
   */
  constructor(handlers: ExceptionHandlers, inner: Handle<R>, innermost = false) {
    this.#handlers = handlers;
    this.#inner = inner;
    this.#innermost = innermost;
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
      result = this.#inner(request);
    } catch (error) {
      return this.failInto(request, error, deliver);
    }
    return this.settleInto(request, result, deliver);
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

function into<R>(request: R, response: ResponseLike | Promise<ResponseLike>, deliver: (request: R, response: ResponseLike) => void): Promise<void> | undefined {
  if (isPromise(response)) return response.then((final) => deliver(request, final));
  deliver(request, response);
  return undefined;
}
