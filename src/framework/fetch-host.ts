import type { Logger } from "../common/logger.ts";
import type { RouteEntry, RouteTable } from "../toolkit/route-table.ts";
import type { bunWebSocketHandlers } from "../toolkit/websocket/fetch-upgrade.ts";

/**
 * A handler of Bun.serve's `routes` or `fetch`: Bun passes its server as the second argument,
 * and takes a Response or a promise of one.
 */
export type BunHandler = (request: Request, server?: unknown) => Response | Promise<Response>;

/** What `app.bun` gives Bun.serve: spread it into the options, `Bun.serve({ port: 8000, ...app.bun })`. */
export interface BunServe {
  /** Bun's own router: each path of the app without parameters, by path. */
  readonly routes: Record<string, BunHandler>;
  /** Every other request: app.fetch, leaving a text or byte body's length to Bun. */
  readonly fetch: BunHandler;
  /** The WebSocket routes' handlers: app.bunWebSocket. */
  readonly websocket: ReturnType<typeof bunWebSocketHandlers>;
}

/**
 * Bun.serve's `routes` for the paths of `table` without parameters: one handler per path,
 * which gives `routed` the route of the request's method, and `fetch` a method the path does
 * not declare (its 405, or a mount's answer). Bun matches a path exactly as sent, less its
 * query: what is not one of these paths letter for letter (a trailing slash more or less,
 * another case, an escape) goes to `fetch` and its lookup, with the redirects and 404s.
 */
export function bunRoutes(table: RouteTable, fetch: BunHandler, routed: (request: Request, server: unknown, entry: RouteEntry) => Response | Promise<Response>): Record<string, BunHandler> {
  const routes: Record<string, BunHandler> = {};
  for (const [path, methods] of table.staticRoutes()) {
    // The map stays the table's: a HEAD route declared later is found here too.
    routes[path] = (request, server) => {
      const match = methods.get(request.method);
      return match === undefined ? fetch(request, server) : routed(request, server, match.entry);
    };
  }
  return routes;
}

/**
 * What `Bun.serve()` and `Deno.serve()` return, as far as stopping goes: Deno's server has
 * `shutdown()` and `finished`, Bun's has `stop()`.
 */
export interface FetchServer {
  /** Deno: resolves once the server has shut down, whoever shut it down. */
  readonly finished?: Promise<void>;
  /** Deno: stops accepting connections; in-flight requests finish. */
  shutdown?(): Promise<void>;
  /** Bun: stops accepting connections; in-flight requests finish unless `closeActiveConnections`. */
  stop?(closeActiveConnections?: boolean): Promise<void> | void;
}

/** The part of an app that a host drives. */
export interface HostedApp {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
  /** Closes open WebSockets with 1001, dropping those still open after `timeout` ms. */
  closeWebSockets?(timeout: number): Promise<void>;
  readonly config: { readonly logger: Logger };
}

/** How long in-flight requests get to finish after SIGINT or SIGTERM, as `serve()` gives them. */
const GRACE_PERIOD = 10_000;

/**
 * Ties an app's lifespan to a Bun or Deno server (see Spry.runWith): starts it now, and stops
 * it once the server has stopped, by `server.stop()` (Bun), `server.shutdown()` (Deno) or
 * SIGINT/SIGTERM, which stop the server gracefully and then exit the process.
 */
export function runWith(app: HostedApp, server: FetchServer): void {
  const logger = app.config.logger;
  let stopped: Promise<boolean> | undefined;
  // Once, however the server stopped; resolves whether every shutdown step succeeded.
  const stopApp = (): Promise<boolean> => {
    // Stopped by code, not by a signal: SIGINT and SIGTERM are the process's own again.
    if (!signalled) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    return (stopped ??= app.shutdown().then(
      () => true,
      (error: unknown) => {
        logger.error({ err: error }, "Application shutdown failed");
        return false;
      },
    ));
  };
  // WebSockets are the app's, not the host's to drain: each is told 1001 as the server stops
  // (neither host would end them), and dropped at the end of the grace period.
  const closeSockets = (force: boolean): Promise<void> => (force ? Promise.resolve() : (app.closeWebSockets?.(GRACE_PERIOD) ?? Promise.resolve()));
  const stopServer = (force: boolean): Promise<void> =>
    Promise.all([closeSockets(force), shutdownDeno !== undefined && !force ? shutdownDeno() : stopBun?.(force)]).then(() => {});

  // Bun's server tells nobody it stopped, so its stop() is wrapped: it stops the app after the
  // server, and resolves once both have stopped. Deno's shutdown() closes the WebSockets too.
  const stopBun = server.stop?.bind(server);
  const shutdownDeno = server.shutdown?.bind(server);
  if (stopBun !== undefined) server.stop = (force) => stopServer(force === true).then(async () => void (await stopApp()));
  if (shutdownDeno !== undefined) server.shutdown = () => stopServer(false);
  void server.finished?.then(() => stopApp());

  let signalled = false;
  const force = (): never => process.exit(1);
  // One listener for both signals, kept until the exit: Deno calls a listener added while a
  // signal is being dispatched for that same signal.
  function onSignal(signal: NodeJS.Signals): void {
    // A second signal while draining stops at once, as with `spry run`.
    if (signalled) return force();
    signalled = true;
    logger.info({ signal }, "Shutting down");
    const grace = setTimeout(() => void stopServer(true).finally(force), GRACE_PERIOD);
    void stopServer(false)
      .then(() => stopApp())
      .then((clean) => {
        clearTimeout(grace);
        process.exit(clean ? 0 : 1);
      });
  }
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  app.startup().catch((error: unknown) => {
    logger.error({ err: error }, "Application startup failed; stopping");
    void stopServer(true).finally(() => process.exit(1));
  });
}
