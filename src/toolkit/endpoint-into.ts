import type { ResponseLike } from "./response.ts";

/**
 * Where a pending response goes when the error layers hand the endpoint their continuation
 * (server-errors.ts): checked, answered as an error if it failed, and delivered to the
 * transport's writer. Neither method throws; each returns undefined once the response is
 * delivered, else a promise, never rejected, settled when it is.
 */
export interface Sink<Request> {
  respond(request: Request, response: ResponseLike | Promise<ResponseLike>): Promise<void> | undefined;
  fail(request: Request, error: unknown): Promise<void> | undefined;
}

/**
 * As an Endpoint, but a response that is not ready is handed to `sink` by the endpoint itself,
 * in the continuation that makes it: a response made at once is returned (the caller settles
 * it); otherwise what the sink returned. May throw, as an Endpoint may.
 */
export type EndpointInto<Request> = (request: Request, sink: Sink<Request>) => ResponseLike | Promise<void> | undefined;
