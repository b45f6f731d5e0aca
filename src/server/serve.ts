import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import { chmodSync, statSync, unlinkSync } from "node:fs";
import { connect, type AddressInfo, type ListenOptions, type Socket } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
import type { Duplex } from "node:stream";
import type { Logger } from "../common/logger.ts";
import { defaultServerLimits, type ServerLimits } from "./options.ts";
import { onClientError, refuser } from "./refusals.ts";
import { Connections, type Drain } from "./shutdown.ts";
import { leaveCluster, RECYCLE } from "./cluster.ts";
import { countRequests, limitConcurrency } from "./admission.ts";
import { readProxyHeaders, TrustedPeers } from "./proxy-headers.ts";
import { createSecureHttpServer, type TlsOptions } from "./tls.ts";
import { createAccessLogger, requestStart } from "./access-log.ts";
import { enterRequestScope } from "../common/request-facts.ts";
import { urlOf } from "./address.ts";
import { serverResponse } from "./server-response.ts";
import type { Servable } from "../toolkit/servable.ts";

export type { Servable } from "../toolkit/servable.ts";

export interface ServeOptions extends Partial<ServerLimits> {
  /** Default: the HOST environment variable, else 127.0.0.1. */
  host?: string;
  /** Default: the PORT environment variable, else 8000. 0 picks a free port. */
  port?: number;
  /**
   * A unix socket to listen on instead of host and port. Made with mode 0666, as Uvicorn does:
   * who may connect is decided by the permissions of its directory. A stale socket file left by
   * a process that died is replaced; one that a live server answers on is not.
   */
  uds?: string;
  /** Connections the kernel queues before they are accepted (default 511, Node's). */
  backlog?: number;
  /** Most requests in flight at once in this process; one more is answered 503 at once. */
  limitConcurrency?: number;
  /** Stop gracefully (as on SIGTERM) after about this many requests, for a supervisor to restart the process. */
  limitMaxRequests?: number;
  /** A random 0 to this many requests added to limitMaxRequests (default: a tenth of it). */
  limitMaxRequestsJitter?: number;
  /**
   * Read the client's address, scheme and host from `Forwarded` or `X-Forwarded-*` headers
   * sent by a trusted peer (see forwardedAllowIps). Default true, as in Uvicorn.
   */
  proxyHeaders?: boolean;
  /**
   * The peers trusted with proxy headers: comma-separated addresses and networks
   * (`10.0.0.0/8`), or `*`. Default: the FORWARDED_ALLOW_IPS environment variable, else 127.0.0.1.
   */
  forwardedAllowIps?: string;
  /**
   * A line per request once its response is done (`--no-access-log` turns it off): JSON on
   * stdout, readable under `spry dev`; or a logger of your own. Default true. Either way every
   * request gets an id, echoed in X-Request-ID (see docs/server.md).
   */
  accessLog?: boolean | Logger;
  /** Serve HTTPS with this key and certificate (`--ssl-keyfile`, `--ssl-certfile`). */
  tls?: TlsOptions;
  /**
   * Serve HTTP/2 too (needs `tls`): clients that offer it by ALPN get it, the others HTTP/1.1,
   * on the same port, with the same app and limits.
   */
  http2?: boolean;
  /** Stop on SIGINT and SIGTERM, finishing in-flight requests first (default true). */
  handleSignals?: boolean;
}

export interface Running {
  readonly server: Server;
  /** The address actually bound, e.g. http://127.0.0.1:8000, or unix:/run/app.sock. */
  readonly url: string;
  /**
   * Stops accepting, closes idle connections, lets in-flight requests finish within the grace
   * period (answered with `Connection: close`), then runs the app's shutdown. Resolves with
   * "forced" if the grace period ended first (requests or the app's shutdown cut off) or the
   * app's shutdown failed.
   */
  close(): Promise<"drained" | "forced">;
}

/**
 * Serves an app on node:http with spry's default limits, like `uvicorn.run`.
 *
 * @example
 * const { url } = await serve(app, { port: 8000 });
 */
export async function serve(app: Servable, options: ServeOptions = {}): Promise<Running> {
  const limits: ServerLimits = { ...defaultServerLimits, ...definedOnly(options) };
  const host = options.host ?? process.env.HOST ?? "127.0.0.1";
  const port = options.port ?? portFromEnv() ?? 8000;
  const logger = app.config?.logger;

  // The connections are made with the server; its responses report to them once they exist.
  let connections: Connections | undefined;
  const http1 = {
    ServerResponse: serverResponse((socket, now) => connections?.finished(socket, now)),
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    // Node checks the two timeouts above only this often (30 s by default), which would
    // let a trickled head outlive its deadline by up to half a minute.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeout, limits.requestTimeout),
    // Checked in guard() instead, to answer with a JSON body like every other refusal.
    requireHostHeader: false,
  };
  if (options.http2 === true && options.tls === undefined) throw new TypeError("http2 needs tls: HTTP/2 is served over TLS, as browsers speak it");
  const { server, sessions } = options.tls === undefined ? { server: createServer(http1), sessions: undefined } : createSecureHttpServer(options.tls, options.http2 === true, http1, limits);
  connections = new Connections(server, limits.maxConnections, logger, options.tls === undefined ? undefined : { sessions });
  // The server's steps per request, fused into the one listener built for these options, as
  // the composition connections -> access log and request id -> [countRequests] ->
  // [limitConcurrency] -> refusals -> proxy headers -> the app would run them: a call per step
  // instead of a closure and a frame per layer, and none for a step the options leave out.
  const handle = app.handleNode;
  const trusted = options.proxyHeaders === false ? undefined : new TrustedPeers(options.forwardedAllowIps ?? (process.env.FORWARDED_ALLOW_IPS || "127.0.0.1"));
  const refused = refuser(limits.maxHeadersCount, options.http2 === true, limits.maxHeaderSize);
  let listener: Listener =
    trusted === undefined
      ? (req, res) => {
          if (!refused(req, res)) handle(req, res);
        }
      : (req, res) => {
          if (refused(req, res)) return;
          readProxyHeaders(req, trusted);
          handle(req, res);
        };
  if (options.limitConcurrency !== undefined) listener = limitConcurrency(listener, options.limitConcurrency);
  if (options.limitMaxRequests !== undefined) {
    const jitter = options.limitMaxRequestsJitter ?? Math.floor(options.limitMaxRequests / 10);
    listener = countRequests(listener, options.limitMaxRequests, jitter, (served) => recycle(served));
  }
  // Outermost but for the connections: refusals get an id and a line too.
  const accessLogger = options.accessLog === false ? undefined : options.accessLog === true || options.accessLog === undefined ? createAccessLogger() : options.accessLog;
  const begin = requestStart({ logger: accessLogger, trusted });
  const inner = listener;
  const tracked = connections;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (tracked.draining) res.shouldKeepAlive = false;
    // The app's log lines for this request, wherever they are written from, carry its id. node
    // emits "request" from the HTTP parser's callback (or HTTP/2's), whose scope ends with it.
    enterRequestScope(begin(req, res));
    inner(req, res);
  });
  // One more than the limit is kept, so that going over it can be told from meeting it.
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  server.on("clientError", onClientError);
  // Without a listener, node:http would answer a WebSocket handshake as a plain GET.
  const { handleUpgrade } = app;
  if (handleUpgrade !== undefined) {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      connections.upgraded(socket as Socket);
      handleUpgrade(req, socket, head);
    });
  }

  // As Uvicorn: the app starts before the socket opens, so no request meets a half-started app.
  await app.startup?.();
  if (options.uds !== undefined) await listenUnix(server, options.uds, options.backlog);
  else await listen(server, { port, host, backlog: options.backlog });
  const url = options.uds !== undefined ? `unix:${options.uds}` : urlOf(server.address() as AddressInfo, options.tls === undefined ? "http" : "https");
  // In a `spry run --workers` worker the primary announces the url, once for all workers.
  if (cluster.isWorker) logger?.info({ worker: process.pid }, `spry worker [${process.pid}] serving`);
  else logger?.info({ url }, `spry running on ${url} (Press CTRL+C to quit)`);

  let drain: Drain | undefined;
  let closing: Promise<"drained" | "forced"> | undefined;
  const close = () =>
    (closing ??= (async () => {
      drain = connections.drain(limits.gracePeriod, logger);
      // Upgraded sockets are no longer node:http's: they are told 1001 here, and dropped at the
      // end of the grace period if they have not closed by then.
      const sockets = app.closeWebSockets?.(limits.gracePeriod);
      const outcome = await drain.done;
      await sockets;
      return (await shutdownApp(app, drain.signal, logger)) ? outcome : "forced";
    })());
  // --limit-max-requests: a worker asks its primary for a replacement, which stops this one
  // once it listens; a single process stops as on SIGTERM, for its supervisor to restart it.
  const recycle = (served: number) => {
    logger?.info({ served, ...(cluster.isWorker && { worker: process.pid }) }, `Served ${served} requests (--limit-max-requests): restarting`);
    if (cluster.isWorker && process.connected) process.send!(RECYCLE);
    else if (options.handleSignals !== false) process.kill(process.pid, "SIGTERM");
    else void close();
  };
  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (drain !== undefined) return drain.force(`Second signal (${signal})`);
      logger?.info({ signal, ...(cluster.isWorker && { worker: process.pid }) }, "Shutting down: finishing in-flight requests");
      void close().then(async (outcome) => {
        await leaveCluster();
        process.exit(outcome === "drained" ? 0 : 1);
      });
    };
    // A worker shares the terminal's process group with its primary, which gets CTRL+C too and
    // passes it on as SIGTERM: taking SIGINT here as well would count as a second signal.
    const onInterrupt = cluster.isWorker ? () => {} : onSignal;
    process.on("SIGINT", onInterrupt);
    process.on("SIGTERM", onSignal);
    server.once("close", () => {
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onSignal);
    });
  }
  return { server, url, close };
}

/** Runs the app's shutdown until it ends or `signal` aborts; false if it failed or was cut off. */
async function shutdownApp(app: Servable, signal: AbortSignal, logger: Logger | undefined): Promise<boolean> {
  if (app.shutdown === undefined) return true;
  let onAbort: (() => void) | undefined;
  const cutOff = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const finished = await Promise.race([app.shutdown({ signal }).then(() => true as const), cutOff]);
    if (!finished) logger?.warn({ reason: String(signal.reason) }, "The app's shutdown was cut off before it finished");
    return finished;
  } catch (error) {
    logger?.error({ err: error }, "The app's shutdown failed");
    return false;
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

function listen(server: Server, options: ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function listenUnix(server: Server, path: string, backlog: number | undefined): Promise<void> {
  try {
    await listen(server, { path, backlog });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !(await stale(path))) throw error;
    unlinkSync(path);
    await listen(server, { path, backlog });
  }
  chmodSync(path, 0o666);
}

/** Whether the socket file at `path` is left over: a socket nothing answers on. */
function stale(path: string): Promise<boolean> {
  if (!statSync(path, { throwIfNoEntry: false })?.isSocket()) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => (probe.destroy(), resolve(false)));
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

function portFromEnv(): number | undefined {
  const value = process.env.PORT;
  if (value === undefined || value === "") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(value)}`);
  return port;
}

function definedOnly(options: ServeOptions): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  for (const key of Object.keys(defaultServerLimits) as (keyof ServerLimits)[]) {
    if (options[key] !== undefined) limits[key] = options[key];
  }
  return limits;
}
