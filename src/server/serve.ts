import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../toolkit/logger.ts";
import { defaultServerLimits, type ServerLimits } from "./options.ts";
import { guard, onClientError } from "./refusals.ts";

/** Anything with a node:http request listener: a Spry app, or a toolkit Dispatcher. */
export interface Servable {
  readonly handleNode: (req: IncomingMessage, res: ServerResponse) => void;
  readonly config?: { readonly logger: Logger };
  /** Run before the server listens (a Spry app's lifespan); a failure stops serve(). */
  startup?(): Promise<void>;
  /** Run once the server has closed. */
  shutdown?(): Promise<void>;
}

export interface ServeOptions extends Partial<ServerLimits> {
  /** Default: the HOST environment variable, else 127.0.0.1. */
  host?: string;
  /** Default: the PORT environment variable, else 8000. 0 picks a free port. */
  port?: number;
  /** Stop on SIGINT and SIGTERM, finishing in-flight requests first (default true). */
  handleSignals?: boolean;
}

export interface Running {
  readonly server: Server;
  /** The address actually bound, e.g. http://127.0.0.1:8000. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish within the grace period, then closes everything. */
  close(): Promise<void>;
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

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeout,
      requestTimeout: limits.requestTimeout,
      keepAliveTimeout: limits.keepAliveTimeout,
      // Node checks the two timeouts above only this often (30 s by default), which would
      // let a trickled head outlive its deadline by up to half a minute.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeout, limits.requestTimeout),
      // Checked in guard() instead, to answer with a JSON body like every other refusal.
      requireHostHeader: false,
    },
    guard(app.handleNode, limits.maxHeadersCount),
  );
  // One more than the limit is kept, so that going over it can be told from meeting it.
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  server.on("clientError", onClientError);

  // As Uvicorn: the app starts before the socket opens, so no request meets a half-started app.
  await app.startup?.();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const url = urlOf(server.address() as AddressInfo);
  logger?.info({ url }, `spry running on ${url} (Press CTRL+C to quit)`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= shutdown(server, limits.gracePeriod, logger).then(async () => {
      try {
        await app.shutdown?.();
      } catch (error) {
        logger?.error({ err: error }, "The app's shutdown failed");
      }
    }));
  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing !== undefined) {
        logger?.warn({ signal }, "Second signal: closing every connection now");
        server.closeAllConnections();
        return;
      }
      logger?.info({ signal }, "Shutting down: finishing in-flight requests");
      void close().then(() => process.exit(0));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    server.once("close", () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
  }
  return { server, url, close };
}

async function shutdown(server: Server, gracePeriod: number, logger: Logger | undefined): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger?.warn({ gracePeriod }, "Grace period over: closing connections with requests still in flight");
      server.closeAllConnections();
      resolve();
    }, gracePeriod);
    timer.unref();
  });
  await Promise.race([closed, forced]);
  clearTimeout(timer);
}

function portFromEnv(): number | undefined {
  const value = process.env.PORT;
  if (value === undefined || value === "") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(value)}`);
  return port;
}

function urlOf(address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function definedOnly(options: ServeOptions): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  for (const key of Object.keys(defaultServerLimits) as (keyof ServerLimits)[]) {
    if (options[key] !== undefined) limits[key] = options[key];
  }
  return limits;
}
