import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "../common/logger.ts";
import type { HttpSocket } from "./http-socket.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** How a drain ended: every in-flight request finished, or some were cut off. */
export type DrainOutcome = "drained" | "forced";

/** A server being stopped: see {@link Connections.drain}. */
export interface Drain {
  /** Resolves once every connection is closed. */
  readonly done: Promise<DrainOutcome>;
  /** Aborts when the grace period ends or the stop is forced: the app's shutdown should hurry then. */
  readonly signal: AbortSignal;
  /** Closes every connection now, logging the requests cut off (a second signal). */
  force(reason: string): void;
}

/**
 * The connections of one node:http server, tracked so that a shutdown can tell in-flight
 * requests (which finish, answered with `Connection: close`) from idle keep-alive connections
 * (closed at once). Tracking is per connection, not per request: the hot path only reads a flag.
 */
export class Connections {
  readonly #server: Server;
  readonly #sockets = new Set<HttpSocket>();
  #draining = false;

  constructor(server: Server) {
    this.#server = server;
    server.on("connection", (socket: HttpSocket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  /** The listener, wrapped: a request that arrives once draining has begun is answered with `Connection: close`. */
  wrap(listener: Listener): Listener {
    return (req, res) => {
      if (this.#draining) res.shouldKeepAlive = false;
      listener(req, res);
    };
  }

  /** The requests being answered right now. */
  inFlight(): ServerResponse[] {
    const responses: ServerResponse[] = [];
    for (const socket of this.#sockets) {
      const res = socket._httpMessage;
      if (res != null && !res.writableFinished) responses.push(res);
    }
    return responses;
  }

  /**
   * Stops accepting connections, closes idle ones, and lets in-flight requests finish with
   * `Connection: close`; after `gracePeriod` ms, or on `force()`, closes the rest.
   */
  drain(gracePeriod: number, logger: Logger | undefined): Drain {
    const server = this.#server;
    this.#draining = true;
    const controller = new AbortController();
    let outcome: DrainOutcome = "drained";
    const done = new Promise<DrainOutcome>((resolve) => server.close(() => resolve(outcome)));
    // Node 20's close() only closes the connections idle at this instant. Without this, an
    // in-flight response still says `Connection: keep-alive`, and its connection lingers for
    // the keep-alive timeout, or takes the client's next request.
    for (const res of this.inFlight()) {
      if (!res.headersSent) {
        res.shouldKeepAlive = false;
      } else {
        // Its head has gone out saying keep-alive: close the connection once it is idle.
        res.once("finish", () => setImmediate(() => server.closeIdleConnections()));
      }
    }
    server.closeIdleConnections();

    const force = (reason: string) => {
      if (controller.signal.aborted) return;
      clearTimeout(timer);
      const cut = this.inFlight().map((res) => ({ method: res.req.method, url: res.req.url }));
      if (cut.length > 0) {
        outcome = "forced";
        logger?.warn({ reason, requests: cut }, `${reason}: cutting off ${cut.length} request(s) still in flight`);
      }
      controller.abort(new Error(reason));
      server.closeAllConnections();
    };
    const timer = setTimeout(() => force(`Grace period of ${gracePeriod} ms over`), gracePeriod);
    // Kept after `done`: the signal also bounds the app's shutdown that follows.
    timer.unref();
    return { done, signal: controller.signal, force };
  }
}
