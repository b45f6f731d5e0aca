import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig, AppHandle } from "../toolkit/request.ts";
import { Dispatcher } from "../toolkit/dispatch.ts";
import type { BlockingOptions, LoopStats } from "../toolkit/event-loop.ts";
import type { OverloadOptions } from "../toolkit/overload.ts";
import { newCounters, type RequestCounters } from "../toolkit/stats.ts";
import { parseRootPath, rootPathFromEnv } from "../common/root-path.ts";
import { defaultLimits, limitsFromEnv, timeoutFromEnv, type RequestLimits } from "../toolkit/limits.ts";
import { createLogger, silentLogger, withRequestIds, type Logger } from "../common/logger.ts";
import { parsePathTemplate } from "../toolkit/path-template.ts";
import { METHODS, RouteTable, type RouteEntry } from "../toolkit/route-table.ts";
import { StaticFiles } from "../toolkit/files/static-files.ts";
import { mountEndpoint, mountPrefix, type Mountable } from "./mount.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import { DependencyOverrides } from "./dependencies/overrides.ts";
import { compileEndpoint } from "./endpoint.ts";
import { LifespanRunner, type Lifespan } from "./lifespan.ts";
import { bunRoutes, runWith, type BunServe, type FetchServer } from "./fetch-host.ts";
import { bunWebSocketHandlers, hostUpgrade, isWebSocketHandshake, upgradeOnHost } from "../toolkit/websocket/fetch-upgrade.ts";
import { TaskRunner, type DrainOptions } from "../tasks/runner.ts";
import type { TaskBackend } from "../tasks/task.ts";
import { valueResponder, type Respond } from "./respond.ts";
import { BackgroundTasks } from "../tasks/background-tasks.ts";
import type { Context } from "./context.ts";
import type { ErrorClass } from "../toolkit/exception-handlers.ts";
import { HTTPException } from "../common/http-exception.ts";
import type { Middleware } from "../toolkit/middleware.ts";
import { buildDocument, type OpenAPIInfo } from "./openapi/document.ts";
import { registerDocs, type DocsOptions } from "./openapi/routes.ts";
import { RouteNames, type PathParamValue } from "./url-for.ts";
import { Router, type Rebuild, type RouteDefinition } from "./router.ts";
import { ThreadPool, threadPool, type ThreadPoolOptions } from "../threads/pool.ts";
import type { Duplex } from "node:stream";
import type { Accept, WebSocketLimits } from "../toolkit/websocket/transport.ts";
import { compileWebSocketEndpoint } from "./websocket-route.ts";
import { WebSocketRoutes } from "./websocket-routes.ts";

export interface SpryOptions<State extends object = {}> extends DocsOptions, OpenAPIInfo {
  /** Startup and shutdown as one generator; what it yields is `app.state`. See Lifespan. */
  lifespan?: Lifespan<State>;
  /** Make each request's context reachable as currentContext() (AsyncLocalStorage; off by default, it costs). */
  requestContext?: boolean;
  /** Where errors and server events are logged: a pino logger (the default) or false for none. */
  logger?: Logger | false;
  /** Per-request limits; each one defaults as documented in RequestLimits. */
  limits?: Partial<RequestLimits>;
  /**
   * The prefix a proxy serves the app under, which it strips before passing requests on
   * (FastAPI's root_path): `/api/v1`. Routes are declared and matched without it; redirects,
   * the docs pages and the OpenAPI `servers` entry carry it. Default: the SPRY_ROOT_PATH
   * environment variable (`spry run --root-path`), else none.
   */
  rootPath?: string;
  /** Redirect (307) `/a/` to `/a` or back when only the other form exists (default true, as in FastAPI). */
  redirectSlashes?: boolean;
  /** Dependencies run for every route (not the docs), before the routers' and the routes' own. */
  dependencies?: Dependency<unknown>[];
  /**
   * Where `ctx.tasks.add()` sends tasks: a queue backend such as `redisQueue()` from
   * spry/queue. Without one, tasks run in this process after the response (docs/background-tasks.md).
   */
  tasks?: TaskBackend;
  /** A worker thread pool of the app's own for its `threaded` routes and dependencies, this size and queue limit; without it the app shares the process's `threadPool` (see docs/threads.md). */
  threads?: ThreadPoolOptions;
  /**
   * Every handler's deadline in milliseconds (none by default); a route's own `timeout`
   * replaces it. At the deadline the request is answered 504 and its signal aborted
   * (reason: HandlerTimeout); teardowns wait until the handler has actually stopped.
   */
  timeout?: number;
  /** Limits that answer 503 + Retry-After at once when the app is overloaded; all off by default. See OverloadOptions. */
  overload?: OverloadOptions;
  /** Reporting of handlers that block the event loop (on by default, 100 ms). See BlockingOptions. */
  blocking?: BlockingOptions;
  /**
   * JSON bodies take JSON's own types only, as pydantic's `strict=True` (default false: lax,
   * `"1"` is read as 1 for an integer field). A route's `strict` replaces it. See docs/bodies.md.
   */
  strict?: boolean;
  /** Limits of every WebSocket route (message size, send buffer, pings, origins...); each defaults as documented in WebSocketLimits. */
  websocket?: Partial<WebSocketLimits>;
}

interface SpryRebuild<State extends object> extends Rebuild {
  readonly result: Spry<State, this["routes"] & object>;
}

/** What `app.stats()` reports. */
export interface AppStats extends RequestCounters {
  /** Requests being handled now (tracked when blocking reports or a concurrency limit are on). */
  inFlight: number;
  /** The event loop, as the monitor last saw it (zeros when the monitor is off). */
  eventLoop: LoopStats;
}

/**
 * A spry application: a router whose routes are compiled into a request pipeline as they
 * are declared, served natively by node:http (`handleNode`) or through the Fetch API (`fetch`).
 *
 * @example
 * const app = new Spry();
 * app.get("/items/{item_id}", { item_id: z.int(), q: z.string().optional() }, ({ item_id, q }) => ({ item_id, q }));
 * export default app; // spry run main.ts
 */
export class Spry<State extends object = {}, Routes extends object = {}> extends Router<Routes> {
  /** Type-level only: chaining on an app returns the app, with the route in its type. */
  declare readonly "~rebuild": SpryRebuild<State>;
  readonly config: AppConfig<BackgroundTasks> & {
    /** Where this app's background tasks go, and which are pending. */
    readonly tasks: TaskRunner;
    /** The pool this app's threaded routes and dependencies run on. */
    readonly threads: ThreadPool;
    /** Who this app is to a shared pool, which stays open until every app using it shut down. */
    readonly threadsUser: object;
  };
  /** The prefix the app is served under behind a proxy ("" for none): see SpryOptions.rootPath. */
  readonly rootPath: string;
  readonly #table: RouteTable;
  readonly #dispatcher: Dispatcher<BackgroundTasks>;
  readonly #info: OpenAPIInfo;
  readonly #dependencies: readonly Dependency<unknown>[];
  readonly #strict: boolean;
  readonly #lifespan: LifespanRunner<State>;
  readonly #websockets: WebSocketRoutes<BackgroundTasks>;
  /** The OpenAPI document as JSON, by the root path it is served under. */
  readonly #openapi = new Map<string, string>();
  #names: RouteNames | undefined;

  /**
   * Replacements for dependencies, for tests: `app.dependencyOverrides.set(real, fake)`.
   * Routes pick a change up on their next request.
   */
  readonly dependencyOverrides = new DependencyOverrides();

  constructor(options: SpryOptions<State> = {}) {
    super();
    const rootPath = options.rootPath === undefined ? (rootPathFromEnv() ?? "") : parseRootPath(options.rootPath, "rootPath");
    this.rootPath = rootPath;
    // An operator's environment (or `spry run` flags) sets the limits the app's code leaves out.
    const limits = { ...defaultLimits, ...limitsFromEnv(), ...options.limits };
    // Each line logged while a request is handled names its id (docs/server.md).
    const logger = options.logger === false ? silentLogger : withRequestIds(options.logger ?? createLogger());
    const tasks = new TaskRunner(options.tasks, logger);
    // Given `threads`, the app owns a pool and its shutdown closes it; without, it shares the
    // process's, which closes when the last app that used it shuts down.
    const threads = options.threads === undefined ? threadPool : new ThreadPool(options.threads, logger);
    if (threads === threadPool) threadPool.useLogger(logger);
    this.config = {
      limits, logger, rootPath, tasks, makeTasks: (scope) => new BackgroundTasks(scope, tasks), stats: newCounters(), threads, threadsUser: this,
      app: this as unknown as AppHandle,
      lifespanState: () => (this.#lifespan.started ? this.#lifespan.state : undefined),
    };
    // (AppState is what the user declares their lifespan yields; TypeScript cannot tie it to this app's State.)
    this.#table = new RouteTable(limits.maxParamLength);
    this.#dispatcher = new Dispatcher(this.#table, this.config, {
      redirectSlashes: options.redirectSlashes,
      timeout: options.timeout ?? timeoutFromEnv(),
      overload: options.overload,
      blocking: options.blocking,
      requestContext: options.requestContext,
    });
    this.#websockets = new WebSocketRoutes(this.config, this.#dispatcher, options.websocket);
    this.#lifespan = new LifespanRunner(options.lifespan);
    this.#info = { title: options.title, version: options.version, description: options.description, servers: options.servers, rootPath: rootPath || undefined };
    // The docs routes are added before the app's dependencies apply: an auth dependency on
    // the app does not lock the docs, as in FastAPI.
    this.#dependencies = [];
    this.#strict = options.strict ?? false;
    registerDocs(this, options, options.title ?? "spry", rootPath);
    this.#dependencies = options.dependencies ?? [];
  }

  /**
   * The app's OpenAPI 3.1 document, built on first use and kept until a route is added.
   *
   * @example
   * const doc = app.openapi();
   * doc.paths["/items/{item_id}"].get.parameters;
   */
  openapi(): Record<string, unknown> & { paths: Record<string, Record<string, any>> } {
    return JSON.parse(this.openapiJson());
  }

  /**
   * The OpenAPI document as JSON text, as `/openapi.json` serves it: for the app served under
   * `rootPath` (default: its own), which its `servers` list first, as FastAPI's does for the
   * request's root path, so that a mounted app names its mount and not the proxy's prefix alone.
   */
  openapiJson(rootPath: string = this.rootPath): string {
    let json = this.#openapi.get(rootPath);
    if (json === undefined) {
      json = JSON.stringify(buildDocument(this.routes.filter((route) => route.websocket === undefined), { ...this.#info, rootPath: rootPath || undefined }));
      this.#openapi.set(rootPath, json);
    }
    return json;
  }

  /**
   * The path of the route named `name` (its `name` option, else its handler's function name)
   * with `params` put in, percent-encoded: FastAPI's `app.url_path_for`. Without the root path,
   * as there; a link a client follows starts with `ctx.rootPath` (or is `ctx.urlFor`'s). The
   * parameters must be exactly the route's, else NoMatchFound.
   *
   * @example
   * app.get("/items/{item_id}", { item_id: z.int() }, function readItem({ item_id }) { ... });
   * app.urlPathFor("readItem", { item_id: 42 }); // "/items/42"
   */
  urlPathFor(name: string, params?: Readonly<Record<string, PathParamValue>>): string {
    return (this.#names ??= new RouteNames(this.routes)).pathFor(name, params);
  }

  /** What the lifespan yielded; available once the app has started. */
  get state(): State {
    return this.#lifespan.state;
  }

  /**
   * Counters and gauges of the request path: cancelled (the client left), timed out (504),
   * rejected (503, concurrency limit), shed (503, overload), blocked (event-loop blocks
   * reported), requests in flight and the event loop's delay.
   *
   * @example
   * app.get("/metrics/requests", () => app.stats());
   */
  stats(): AppStats {
    return { ...this.config.stats, inFlight: this.#dispatcher.inFlight, eventLoop: this.#dispatcher.monitor.stats() };
  }

  /** Runs the lifespan up to its `yield` and the startup hooks. serve() and TestClient call it. */
  startup(): Promise<void> {
    this.#dispatcher.startMonitor();
    return this.#lifespan.startup();
  }

  /**
   * Waits for pending background tasks (until `signal` aborts, or `timeout` ms, 10 s without a
   * signal; what is cut off is logged by name), then runs the shutdown hooks and the rest of the
   * lifespan, and closes the task queue. serve() and TestClient call it.
   */
  async shutdown(options: DrainOptions = {}): Promise<void> {
    const tasks = this.config.tasks;
    // Before the lifespan's teardown: a task may still need what it holds (a database pool).
    await tasks.drain(options);
    await tasks.close().catch((error: unknown) => this.config.logger.error({ err: error }, "Closing the task queue failed"));
    // The pool is closed (if a call started it) even when the lifespan's teardown throws.
    this.#dispatcher.monitor.stop();
    return this.#lifespan.shutdown().finally(() => this.#closeThreads());
  }

  /** The worker thread pool this app's threaded routes and dependencies run on. See docs/threads.md. */
  get threads(): ThreadPool {
    return this.config.threads;
  }

  // Only what this app started: its own pool, or its use of the shared one.
  #closeThreads(): Promise<void> {
    const threads = this.config.threads;
    return threads === threadPool ? threads.release(this) : threads.close();
  }

  /** Runs `hook` when the app starts, after the lifespan's setup. */
  onStartup(hook: () => unknown): this {
    this.#lifespan.onStartup(hook);
    return this;
  }

  /** Runs `hook` when the app stops, before the lifespan's teardown; hooks run in reverse order. */
  onShutdown(hook: () => unknown): this {
    this.#lifespan.onShutdown(hook);
    return this;
  }

  /**
   * Adds middleware around every request (404s and errors included); the first added is the
   * outermost. See Middleware for the signature.
   */
  use(middleware: Middleware<Context>): this {
    this.#dispatcher.use(middleware);
    this.#websockets.use(middleware);
    return this;
  }

  /**
   * Answers an error class, or a status code, your way: the handler returns a Response, a
   * `json(value, { status })`, or a value sent as JSON with the error's status. Handlers for
   * HTTPException and RequestValidationError replace spry's default bodies app-wide.
   *
   * @example
   * app.exceptionHandler(RequestValidationError, (error) =>
   *   json({ message: "Invalid request", errors: error.errors }, { status: 400 }));
   * app.exceptionHandler(404, () => json({ message: "Nothing here" }, { status: 404 }));
   */
  exceptionHandler<E>(key: ErrorClass<E> | number, handler: (error: E, ctx: Context) => unknown): this {
    this.#dispatcher.exceptionHandlers.add(key, async (error: E, ctx: Context) => this.#errorResponder(error)(await handler(error, ctx), ctx));
    return this;
  }

  readonly #errorResponders = new Map<number, Respond>();

  // An exception handler's value is answered as a route's would be, with the error's status.
  #errorResponder(error: unknown): Respond {
    const status = error instanceof HTTPException ? error.status : 500;
    let respond = this.#errorResponders.get(status);
    if (respond === undefined) this.#errorResponders.set(status, (respond = valueResponder(status)));
    return respond;
  }

  /**
   * The Fetch API handler: `Request` in, `Response` out. A request that arrives while the app
   * is starting waits for the startup to finish. On Bun and Deno it also takes WebSocket
   * handshakes, through the host's own upgrade (Bun passes its server as the second argument;
   * Bun.serve needs `websocket: app.bunWebSocket` too). See docs/websockets.md.
   */
  get fetch(): (request: Request, server?: unknown) => Promise<Response> {
    return this.#fetch;
  }

  // Off the host, every road below is already a promise: Promise.resolve hands it back as it is.
  readonly #fetch = (request: Request, server?: unknown): Promise<Response> => Promise.resolve(this.#answer(request, server, false));

  // app.bun's fetch: app.fetch, leaving a text or byte body's length to Bun, which writes it,
  // and handing back a request answered synchronously as its Response, which Bun takes as well.
  readonly #bunFetch = (request: Request, server?: unknown): Response | Promise<Response> => this.#answer(request, server, true);

  #answer(request: Request, server: unknown, onHost: boolean): Response | Promise<Response> {
    // Only an app with WebSocket routes looks for a handshake: on Bun, reading the request's
    // headers at all copies every one of them into a Headers object, a quarter of a minimal
    // Bun.serve handler's CPU (bench/HISTORY.md, "Bun fast"). Without such routes a handshake
    // is answered as the HTTP request it also is.
    const upgrade = this.#websockets.any && isWebSocketHandshake(request) ? hostUpgrade(server) : undefined;
    const starting = this.#lifespan.starting;
    if (upgrade === undefined) {
      const dispatcher = this.#dispatcher;
      if (starting === undefined) return onHost ? dispatcher.fetchOnHost(request) : dispatcher.fetch(request);
      const dispatch = (): Response | Promise<Response> => (onHost ? dispatcher.fetchOnHost(request) : dispatcher.fetch(request));
      return starting.then(dispatch, dispatch);
    }
    // Bun answers an upgraded request itself once the handler has returned nothing: the one
    // case where this resolves without a Response.
    const dispatch = () => upgradeOnHost(request, upgrade, this.#websockets.handle.bind(this.#websockets)) as Promise<Response>;
    return starting === undefined ? dispatch() : starting.then(dispatch, dispatch);
  }

  /**
   * What Bun.serve needs to serve the app, to spread into its options:
   * `app.runWith(Bun.serve({ port: 8000, ...app.bun }))`. Its `routes` hand each path without
   * parameters to Bun's own router, which finds the route before any JavaScript runs (and
   * spry reads no more of the URL than its query); `fetch` answers every other request as
   * app.fetch does, and the routes' paths for the methods they do not declare; `websocket` is
   * `bunWebSocket`. Their Responses leave a text or byte body's length to Bun, which writes it. Every layer runs on both roads: middleware, limits, errors, the startup wait.
   * The routes are the app's when `bun` is read: a route added later is served by `fetch`.
   */
  get bun(): BunServe {
    return { routes: bunRoutes(this.#table, this.#bunFetch, this.#routed), fetch: this.#bunFetch, websocket: this.bunWebSocket };
  }

  // A request Bun's router matched to a route of the app's table, unless the app must look at
  // it first: while starting (it waits), or when it may be a WebSocket handshake.
  readonly #routed = (request: Request, server: unknown, entry: RouteEntry): Response | Promise<Response> => {
    if (this.#lifespan.starting !== undefined || (this.#websockets.any && isWebSocketHandshake(request))) return this.#bunFetch(request, server);
    return this.#dispatcher.fetchOnHost(request, entry);
  };

  /**
   * Bun.serve's `websocket` option, for WebSocket routes on Bun:
   * `Bun.serve({ port: 8000, fetch: app.fetch, websocket: app.bunWebSocket })`. Bun takes one
   * message limit for every socket, the largest of the app's routes (each route's own is still
   * enforced, with 1009), and per-message-deflate as the app's default says.
   */
  get bunWebSocket(): ReturnType<typeof bunWebSocketHandlers> {
    return bunWebSocketHandlers({ maxPayloadLength: this.#websockets.largestMessageSize, perMessageDeflate: this.#websockets.defaults.perMessageDeflate });
  }

  /**
   * Runs the app with a server that Bun or Deno started on `app.fetch`: starts the lifespan now
   * (requests wait for it; a failed startup stops the server and exits 1), and stops it when the
   * server stops, by `server.stop()` on Bun, `server.shutdown()` on Deno, or SIGINT/SIGTERM,
   * which let in-flight requests finish (10 s at most) and then exit. See docs/runtimes.md.
   *
   * @example
   * app.runWith(Bun.serve({ port: 8000, fetch: app.fetch, websocket: app.bunWebSocket }));
   * app.runWith(Deno.serve({ port: 8000 }, app.fetch));
   */
  runWith<Server extends FetchServer>(server: Server): Server {
    runWith(this, server);
    return server;
  }

  /** The native node:http request listener. */
  get handleNode(): (req: IncomingMessage, res: ServerResponse) => void {
    return this.#dispatcher.handleNode;
  }

  /**
   * Hands every request under `path` to `target`: static files, another Spry app, or any Fetch
   * handler, with the rest of the path and `ctx.rootPath` grown by `path` (Starlette's Mount).
   * A mounted app keeps its own OpenAPI document, docs and 404s; its lifespan runs with this
   * app's. Static files answer GET and HEAD (405 otherwise); other targets every method.
   *
   * @example
   * app.mount("/static", staticFiles({ directory: "public" }));
   * app.mount("/v2", v2); // v2's docs at /v2/docs
   */
  mount(path: string, target: Mountable): this {
    const prefix = mountPrefix(path);
    const endpoint = mountEndpoint(prefix, target, this.rootPath);
    const methods = target instanceof StaticFiles ? ["GET" as const] : METHODS.filter((method) => method !== "HEAD");
    const templates = [parsePathTemplate(`${prefix}/{path:path}`), ...(prefix === "" ? [] : [parsePathTemplate(prefix)])];
    for (const template of templates) for (const method of methods) this.#table.add(method, template, endpoint);
    if (target instanceof Spry) {
      this.onStartup(() => target.startup());
      this.onShutdown(() => target.shutdown());
    }
    return this;
  }

  /** node:http's "upgrade" listener: WebSocket handshakes. serve() installs it. */
  get handleUpgrade(): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
    return this.#websockets.handleUpgrade;
  }

  /**
   * A WebSocket handshake given as a Fetch Request, accepted by `acceptFor`: how the TestClient
   * connects in process. Resolves when the session is over, with the refusal if it was refused.
   */
  handleWebSocket(request: Request, acceptFor: (limits: WebSocketLimits) => Accept): Promise<Response | undefined> {
    return this.#websockets.handle(request, acceptFor);
  }

  /** Closes every open WebSocket with 1001 and waits up to `timeout` ms for them; serve() calls it on shutdown. */
  closeWebSockets(timeout: number): Promise<void> {
    return this.#websockets.closeAll(timeout);
  }

  protected override addRoute(route: RouteDefinition): void {
    const dependencies = [...this.#dependencies, ...(route.options.dependencies ?? [])];
    const strict = route.options.strict ?? this.#strict;
    super.addRoute({ ...route, options: { ...route.options, dependencies, strict } });
    this.#openapi.clear();
    this.#names = undefined;
    // Compiled from the final path, once the router's prefix has been applied.
    const added = this.routes[this.routes.length - 1]!;
    const template = parsePathTemplate(added.path);
    const parts = { template, inputs: added.inputs, handler: added.handler, options: added.options, dependencies: added.options.dependencies ?? [] };
    // A mistake in the declaration is refused now, naming the route, never as a 500 per request.
    try {
      if (added.websocket !== undefined) {
        this.#websockets.add(template, compileWebSocketEndpoint(parts, this.dependencyOverrides, this.config.logger), added.websocket);
        return;
      }
      const endpoint = compileEndpoint(parts, this.dependencyOverrides);
      this.#table.add(added.method, template, endpoint, { bodyLimit: added.options.bodyLimit, timeout: added.options.timeout });
    } catch (error) {
      (this.routes as RouteDefinition[]).pop();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${added.method} ${added.path}: ${message}`, { cause: error });
    }
  }
}
