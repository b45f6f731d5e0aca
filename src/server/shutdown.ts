import type { Server, ServerResponse } from "node:http";
import type { Http2Session } from "node:http2";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Logger } from "../common/logger.ts";
import type { HttpSocket } from "./http-socket.ts";
import { IdleOrder } from "./idle-order.ts";
import { responseCutOff } from "./server-response.ts";

// One "close" listener for every connection of a server (a socket closes once), made with its
// Connections: no closure and no once() wrapper per connection, and nothing put on the socket
// (a property added to a socket after node made it is a property array of its own, 40 B of each
// connection kept open, heap snapshots of 5,000 parked `/slow_task/` requests).
function forgetting(idleSince: IdleOrder): (this: HttpSocket) => void {
  return function forget(this: HttpSocket): void {
    idleSince.delete(this);
    // A response still on it was cut off: its access line says so (server-response.ts).
    const res = this._httpMessage;
    if (res != null) responseCutOff(res, this);
  };
}

// Node's own EventEmitter, whose listener lists this module may lay out (listenForClose).
const versions = process.versions as { bun?: string };
const nodeEvents = versions.bun === undefined && !("Deno" in globalThis);

/**
 * Adds `forget` to the socket's "close" listeners. node:http has put one there (its own) and
 * adds another while a response is on the connection, which with `forget` is a third, pushed
 * onto the two-slot array EventEmitter made for two: V8 grows it to 20 slots, 176 B that every
 * open connection then keeps, where raw node:http's two listeners take 32 B (heap snapshots of
 * 1,000 and 5,000 parked `/slow_task/` requests). So on Node the list of two is made here, with
 * room for the response's listener: 40 B. The array is what EventEmitter itself would have
 * made of `on` (a list of the two functions, node's first); its length stays 2.
 */
function listenForClose(socket: Socket, forget: (this: HttpSocket) => void): void {
  const events = (socket as { _events?: Record<string, unknown> })._events;
  const existing = events?.close;
  // A "newListener" listener would not hear of this one: on() tells it.
  if (!nodeEvents || typeof existing !== "function" || events!.newListener !== undefined) {
    socket.on("close", forget);
    return;
  }
  const listeners = [existing, forget, undefined];
  listeners.length = 2;
  events!.close = listeners;
}

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
 * How long a connection must have been idle before a drain closes it. A keep-alive client that
 * is busy sends its next request within milliseconds of an answer; closing its connection then
 * would cut off a request already on the wire (or reset one sitting in the receive buffer).
 * Waiting this long lets that request arrive, to be answered with `Connection: close`; a
 * connection idle for longer is closed at once.
 */
const IDLE_BEFORE_CLOSE_MS = 1_000;
// How often a drain looks for connections that have become idle long enough.
const SWEEP_MS = 50;

/** Past the connection cap, how many of the oldest idle connections are looked at for one to close. */
const EVICTION_SCAN = 64;
// A flood at the cap is reported once per this long, not once per connection.
const CAP_WARNING_INTERVAL_MS = 10_000;

/**
 * The connections of one node:http server, tracked so that a shutdown can tell in-flight
 * requests (which finish, answered with `Connection: close`) from idle keep-alive connections
 * (closed once idle long enough that no request of theirs can be on its way), and so that
 * open connections stay under a cap. Tracking is per connection: the hot path records when
 * each response finished, nothing more.
 */
export class Connections {
  readonly #server: Server;
  /**
   * Every open connection, and when it last became idle (connected, or finished a response),
   * in that order: the first entries are the connections idle the longest.
   */
  readonly #idleSince = new IdleOrder();
  /**
   * Connections taken over by an upgrade (WebSockets): counted against the cap, but never idle
   * (neither evicted to make room nor swept by a drain); their owner closes them on shutdown.
   */
  readonly #upgraded = new Set<Socket>();
  #draining = false;
  readonly #sessions: Set<Http2Session> | undefined;
  /** When each of the two cap warnings was last logged: [making room, refusing]. */
  readonly #warnedAt = [-Infinity, -Infinity];

  /**
   * `maxConnections`: past it, a new connection makes room by closing the connection idle the
   * longest (a keep-alive connection between requests, or one still sending its head, as a
   * trickling client does), so that a flood of idle connections cannot lock real clients out;
   * when every connection has a request in flight, the new one is closed at once.
   */
  constructor(server: Server, maxConnections = Infinity, logger?: Logger, tls?: { sessions?: Set<Http2Session> | undefined }) {
    this.#server = server;
    this.#sessions = tls?.sessions;
    const idleSince = this.#idleSince;
    const forget = forgetting(idleSince);
    // Over TLS, node:http serves the TLS socket, which "secureConnection" gives.
    const event = tls !== undefined ? "secureConnection" : "connection";
    server.on(event, (socket: HttpSocket & { alpnProtocol?: string | false }) => {
      // An HTTP/2 connection is its session's: drained by closing the session (GOAWAY).
      if (socket.alpnProtocol === "h2") return;
      if (this.size >= maxConnections && !this.#makeRoom(maxConnections, logger)) {
        socket.destroy();
        return;
      }
      idleSince.add(socket, performance.now());
      listenForClose(socket, forget);
    });
  }

  /**
   * A response is done with its connection, which is idle from now on. Called by the server's
   * response class (server-response.ts) as node:http detaches the response from its socket;
   * `now`, performance.now() as it read it for the access line too.
   */
  finished(socket: Socket, now = performance.now()): void {
    this.#idleSince.touch(socket as HttpSocket, now);
  }

  // Closes the connection idle the longest, if one of the oldest is idle at all.
  #makeRoom(maxConnections: number, logger: Logger | undefined): boolean {
    let scanned = 0;
    let evicted: HttpSocket | undefined;
    for (const socket of this.#idleSince.keys()) {
      if (socket._httpMessage == null) {
        evicted = socket;
        break;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    const now = performance.now();
    const kind = evicted === undefined ? 1 : 0;
    if (now - this.#warnedAt[kind]! >= CAP_WARNING_INTERVAL_MS) {
      this.#warnedAt[kind] = now;
      logger?.warn(
        { maxConnections },
        evicted === undefined
          ? `${maxConnections} connections open, each with a request in flight: refusing new connections`
          : `${maxConnections} connections open (the limit): closing the ones idle the longest to make room`,
      );
    }
    if (evicted === undefined) return false;
    this.#idleSince.delete(evicted);
    evicted.destroy();
    return true;
  }

  /** How many connections are open. */
  get size(): number {
    return this.#idleSince.size + this.#upgraded.size;
  }

  /** node:http's "upgrade": the connection is no longer an HTTP one, and no longer idle. */
  upgraded(socket: Socket): void {
    if (!this.#idleSince.delete(socket as HttpSocket)) return;
    this.#upgraded.add(socket);
    socket.once("close", () => this.#upgraded.delete(socket));
  }

  /**
   * Whether a drain has begun: a request that arrives then is answered with `Connection: close`
   * (serve.ts's listener asks). The end of every response is recorded by finished(), called by
   * the server's response class: no listener per request.
   */
  get draining(): boolean {
    return this.#draining;
  }

  /** The requests being answered right now. */
  inFlight(): ServerResponse[] {
    const responses: ServerResponse[] = [];
    for (const socket of this.#idleSince.keys()) {
      const res = socket._httpMessage;
      if (res != null && !res.writableFinished) responses.push(res);
    }
    return responses;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish with `Connection: close`, and
   * closes each idle connection once it has been idle for a second (at once if it already
   * has); after `gracePeriod` ms, or on `force()`, closes the rest.
   */
  drain(gracePeriod: number, logger: Logger | undefined): Drain {
    const server = this.#server;
    this.#draining = true;
    const controller = new AbortController();
    let outcome: DrainOutcome = "drained";
    const done = new Promise<DrainOutcome>((resolve) => closeListener(server, () => resolve(outcome)));
    // Node 20's close() leaves in-flight responses saying `Connection: keep-alive`, inviting
    // the client's next request onto a closing connection. One whose head has already gone out
    // keeps its connection; the next request on it is answered with `Connection: close` (wrap).
    for (const res of this.inFlight()) {
      if (!res.headersSent) res.shouldKeepAlive = false;
    }
    const sweep = () => {
      const now = performance.now();
      for (const [socket, since] of this.#idleSince) {
        if (socket._httpMessage == null && now - since >= IDLE_BEFORE_CLOSE_MS) socket.destroy();
      }
    };
    sweep();
    const sweeper = setInterval(sweep, SWEEP_MS);
    // HTTP/2: GOAWAY, so that clients open no new stream; open streams finish, then the session closes.
    for (const session of this.#sessions ?? []) session.close();
    void done.then(() => clearInterval(sweeper));

    const force = (reason: string) => {
      if (controller.signal.aborted) return;
      clearTimeout(timer);
      clearInterval(sweeper);
      const cut = this.inFlight().map((res) => ({ method: res.req.method, url: res.req.url }));
      if (cut.length > 0) {
        outcome = "forced";
        logger?.warn({ reason, requests: cut }, `${reason}: cutting off ${cut.length} request(s) still in flight`);
      }
      controller.abort(new Error(reason));
      for (const session of this.#sessions ?? []) session.destroy();
      // An HTTP/2 server has no closeAllConnections(): its HTTP/1.1 connections are these.
      for (const socket of this.#idleSince.keys()) socket.destroy();
      for (const socket of this.#upgraded) socket.destroy();
    };
    const timer = setTimeout(() => force(`Grace period of ${gracePeriod} ms over`), gracePeriod);
    // Kept after `done`: the signal also bounds the app's shutdown that follows.
    timer.unref();
    return { done, signal: controller.signal, force };
  }
}

/**
 * Stops listening; `closed` runs once every connection has closed. Since Node 19,
 * `server.close()` also closes every idle connection at that instant, among them ones whose
 * client has just sent its next request (lost, or reset if it was already received), so the
 * server's own closeIdleConnections is set aside for that call: drain() closes idle
 * connections on its own schedule.
 */
function closeListener(server: Server, closed: () => void): void {
  server.closeIdleConnections = () => {};
  try {
    server.close(() => closed());
  } finally {
    delete (server as Partial<Server>).closeIdleConnections;
  }
}
