/**
 * Socket-level limits of the node:http server. Defaults from docs/reliability.md, which
 * takes them from Node's and Uvicorn's: each one can be set in `serve()` options.
 */
export interface ServerLimits {
  /** Largest request head (request line and headers) in bytes. Over it: 431. */
  maxHeaderSize: number;
  /** Most header lines in one request. Over it: 431. */
  maxHeadersCount: number;
  /** Time to receive the whole head, in ms. Past it: 408. */
  headersTimeout: number;
  /** Time to receive the whole request, body included, in ms. Past it: 408. */
  requestTimeout: number;
  /** How long an idle keep-alive connection stays open, in ms. */
  keepAliveTimeout: number;
  /** How long in-flight requests may run after a shutdown signal before connections are closed, in ms. */
  gracePeriod: number;
}

export const defaultServerLimits: ServerLimits = {
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 2000,
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 5_000,
  gracePeriod: 10_000,
};
