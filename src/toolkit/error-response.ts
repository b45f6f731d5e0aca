import { HTTPException } from "../common/http-exception.ts";
import { checkHeaders } from "./header-check.ts";
import { requestFields, type SpryRequest } from "./request.ts";
import { emptyResponse, jsonResponse, jsonText, type SpryResponse } from "./response.ts";
import { ClientDisconnected } from "./signals.ts";

const INTERNAL_ERROR = '{"detail":"Internal Server Error"}';

/** An error an exception handler threw; already logged, so the 500 for it is not logged again. */
export class ExceptionHandlerFailed extends Error {
  constructor(cause: unknown) {
    super("exception handler failed", { cause });
    this.name = "ExceptionHandlerFailed";
  }
}

/** An HTTPException as FastAPI answers it: `{"detail": ...}` with its status and headers. */
export function httpExceptionResponse(error: HTTPException): SpryResponse {
  return jsonResponse(error.status, { detail: error.detail }, error.headers);
}

/**
 * The response for an error nothing else answered, made here only, for both error layers: an
 * HTTPException (one an exception handler raised) keeps its status and headers; a client that
 * left gets a bare 499 (the Fetch path must still hand back some Response, and nginx's 499 says
 * what happened without anything being wrong with the app); anything else is a 500 with no
 * detail of the error in its body, logged once with the route (docs/reliability.md row 22).
 * What it returns can always be written: the headers a handler set with setHeader were
 * checked when they were set.
 */
export function internalError(request: SpryRequest<any>, error: unknown): SpryResponse {
  if (error instanceof ClientDisconnected) {
    request.config.logger.debug({ route: request.routeName }, "The client disconnected before the response was sent");
    return emptyResponse(499);
  }
  if (error instanceof HTTPException) {
    try {
      const response = httpExceptionResponse(error);
      if (request.usedScope?.hasHeaders === true) request.scope.applyHeaders(response, true);
      checkHeaders(response.headers);
      return response;
    } catch (refused) {
      error = refused;
    }
  }
  if (!(error instanceof ExceptionHandlerFailed)) {
    request.config.logger.error({ err: error, route: request.routeName, status: 500, ...requestFields(request) }, "Unhandled error while handling a request");
  }
  const response = jsonText(500, INTERNAL_ERROR);
  if (request.usedScope?.hasHeaders === true) request.scope.applyHeaders(response, true);
  return response;
}
