import { HTTPException } from "../common/http-exception.ts";
import type { Logger } from "../common/logger.ts";
import { requestFields, type SpryRequest } from "./request.ts";
import type { ResponseLike } from "./response.ts";
import { HandlerTimeout } from "./signals.ts";
import type { RequestCounters } from "./stats.ts";

/**
 * Races a pending endpoint against its deadline: at the deadline the request is answered 504
 * (raised, so that exception handlers for 504 see it), its signal is aborted with
 * HandlerTimeout, and its deferred work waits for the endpoint to actually stop, so a teardown
 * never runs under a handler that ignores its signal. What the endpoint does after that is
 * only logged. A synchronous endpoint has already answered: only a pending one can miss it.
 */
export function withDeadline(request: SpryRequest<any>, pending: Promise<ResponseLike>, timeout: number, logger: Logger, stats: RequestCounters): Promise<ResponseLike> {
  return new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      stats.timedOut++;
      logger.warn({ route: request.routeName, timeout, status: 504, ...requestFields(request) }, `${request.routeName} did not finish within its ${timeout} ms deadline: answered 504`);
      request.abort(new HandlerTimeout(timeout));
      request.scope.outlive(pending.then(undefined, (error: unknown) => late(request, error, logger)));
      reject(new HTTPException(504, "Gateway Timeout"));
    }, timeout);
    pending.then(
      (response) => {
        if (expired) return;
        clearTimeout(timer);
        resolve(response);
      },
      (error: unknown) => {
        if (expired) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// The endpoint failed after its 504 went out: nothing can answer now. The signal's own reason,
// rethrown, is the expected way for a handler to stop.
function late(request: SpryRequest<any>, error: unknown, logger: Logger): void {
  request.usedScope?.discardTasks();
  if (error instanceof HandlerTimeout) logger.debug({ route: request.routeName }, "A handler stopped after its deadline");
  else logger.error({ err: error, route: request.routeName, ...requestFields(request) }, "Unhandled error while handling a request");
}

/** A deadline in milliseconds, checked where it is configured. */
export function positiveTimeout(timeout: number | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new RangeError(`timeout must be a positive number of milliseconds, got ${timeout}`);
  return timeout;
}
