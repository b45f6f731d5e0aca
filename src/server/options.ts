import { defaultMaxConnections } from "./fd-limit.ts";

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
  /**
   * Most connections open at once. Past it, a new connection closes the one idle the longest
   * (or is itself closed when every connection has a request in flight). Default: from the
   * process's fd limit (`ulimit -n`), less a tenth kept for everything else.
   */
  maxConnections: number;
  /** How long in-flight requests may run after a shutdown signal before connections are closed, in ms. */
  gracePeriod: number;
}

let fromFdLimit: number | undefined;

export const defaultServerLimits: ServerLimits = {
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 2000,
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 5_000,
  // Read on first use, not when spry/server is imported: outside Linux it asks a shell.
  get maxConnections() {
    return (fromFdLimit ??= defaultMaxConnections());
  },
  gracePeriod: 10_000,
};
