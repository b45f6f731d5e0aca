import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { AppConfig, Context } from "./context.ts";
import { HTTPException } from "../common/http-exception.ts";
import { bodyTooLarge } from "./request-body.ts";
import { ExceptionHandlers, type ExceptionHandler } from "./exception-handlers.ts";
import { compose, type Middleware } from "./middleware.ts";
import { withContext } from "./request-context.ts";
import { FetchContext } from "./fetch-context.ts";
import { NodeContext } from "./node-context.ts";
import { requestFacts } from "../common/request-facts.ts";
import { ClientDisconnected, HandlerTimeout } from "./signals.ts";
import { inDevMode } from "../common/dev-mode.ts";
import { LoopMonitor, type BlockingOptions } from "./event-loop.ts";
import { Overload, type OverloadOptions } from "./overload.ts";
import type { RouteTable } from "./route-table.ts";

/** How a Dispatcher treats requests beyond routing; each part is documented on SpryOptions. */
export interface DispatchOptions {
  redirectSlashes?: boolean;
  /** The app's root path ("" for none): redirects carry it. */
  rootPath?: string;
  timeout?: number | undefined;
  overload?: OverloadOptions | undefined;
  blocking?: BlockingOptions | undefined;
}

/** 100 ms: the "default in dev", and short enough to catch a synchronous hash or file read. */
const DEFAULT_BLOCKING_THRESHOLD = 100;

/**
 * From a request to its endpoint: limits checked before any routing, the route looked up,
 * 404, 405 with Allow, and FastAPI's redirect_slashes for misses, and every error turned into
 * a response. Both server paths enter here: `handleNode` and `fetch` differ only in their context.
 */
export class Dispatcher {
  readonly table: RouteTable;
  readonly config: AppConfig;
  readonly redirectSlashes: boolean;
  readonly rootPath: string;
  /** The app-wide handler deadline in milliseconds; a route's own replaces it. */
  readonly timeout: number | undefined;
  readonly monitor: LoopMonitor;
  readonly #overload: Overload | undefined;
  readonly #threshold: number;
  // Tracked only when something reads it: the concurrency limit, or the blocking report's suspects.
  readonly #inFlight: Set<Context> | undefined;

  constructor(table: RouteTable, config: AppConfig, options: DispatchOptions = {}) {
    this.table = table;
    this.config = config;
    this.redirectSlashes = options.redirectSlashes ?? true;
    this.rootPath = options.rootPath ?? "";
    this.timeout = positiveTimeout(options.timeout);
    const blocking = options.blocking ?? {};
    this.#threshold = blocking.threshold ?? DEFAULT_BLOCKING_THRESHOLD;
    const inFlight = (this.#inFlight = this.#threshold > 0 || options.overload?.maxConcurrency !== undefined ? new Set() : undefined);
    this.monitor = new LoopMonitor({
      threshold: this.#threshold,
      trace: blocking.trace ?? inDevMode(),
      logger: config.logger,
      counters: config.stats,
      inFlight: function* () {
        if (inFlight !== undefined) for (const ctx of inFlight) yield ctx.routeName;
      },
    });
    this.#overload = options.overload === undefined ? undefined : new Overload(options.overload, this.monitor, config.stats);
    this.#tracing = this.monitor.tracing;
    this.#wantsMonitor = this.#threshold > 0 || this.#overload?.shedding === true;
  }

  /** Requests being handled now: not yet answered. */
  get inFlight(): number {
    return this.#inFlight?.size ?? 0;
  }

  /** Starts the event-loop monitor when something needs it; app startup and the first request call it. */
  startMonitor(): void {
    if (this.#wantsMonitor) this.monitor.start();
  }

  /** The native node:http path. Pass it to `http.createServer`. */
  readonly handleNode = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = new NodeContext(req, res, this.config);
    const pending = this.#run(ctx);
    if (pending === undefined) return this.#finish(ctx, true);
    // A connection that closed first has nobody left to answer.
    void pending.then(() => this.#finish(ctx, !res.destroyed));
  };

  /** The Fetch API path: the standard interface any Fetch-speaking host can serve. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const ctx = new FetchContext(request, this.config);
    await this.#run(ctx);
    this.#finish(ctx, true);
    return ctx.response!;
  };

  // Admission and the blocking report of the request's first synchronous stretch around
  // dispatch; each costs nothing when its feature is off.
  #run(ctx: Context): void | Promise<void> {
    if (this.#wantsMonitor && !this.monitor.running) this.monitor.start();
    const inFlight = this.#inFlight;
    if (this.#overload !== undefined) {
      const refusal = this.#overload.refuse(inFlight?.size ?? 0);
      if (refusal !== undefined) return this.fail(ctx, refusal);
    }
    if (inFlight === undefined) return this.#enter(ctx);
    inFlight.add(ctx);
    const start = performance.now();
    const pending = this.#enter(ctx);
    const ms = performance.now() - start;
    if (ms >= this.#threshold && this.#threshold > 0) this.monitor.report(ctx.routeName, ms, "exact");
    return pending;
  }

  #finish(ctx: Context, answer: boolean): void {
    if (this.#inFlight?.delete(ctx) === true) this.monitor.finished(ctx);
    if (answer) this.#ensureSent(ctx);
    if (ctx instanceof FetchContext) ctx.finish();
    ctx.settle();
  }

  #enter(ctx: Context): void | Promise<void> {
    return this.requestContext || this.#tracing ? withContext(ctx, () => this.dispatch(ctx)) : this.dispatch(ctx);
  }

  readonly exceptionHandlers = new ExceptionHandlers();
  /** Whether each request runs with its context as currentContext(). */
  requestContext = false;
  readonly #tracing: boolean;
  readonly #wantsMonitor: boolean;
  readonly #middleware: Middleware[] = [];
  #chain: ((ctx: Context) => Promise<void>) | undefined;

  /** Adds middleware around routing; the first added is the outermost. */
  use(middleware: Middleware): void {
    this.#middleware.push(middleware);
    this.#chain = compose(this.#middleware, (ctx) => this.route(ctx));
  }

  /** Runs a request through the middleware and routing, and sends its response; never rejects. */
  dispatch(ctx: Context): void | Promise<void> {
    if (this.#chain === undefined) return this.route(ctx);
    return this.#chain(ctx).then(undefined, (error: unknown) => this.fail(ctx, error));
  }

  /** Routes one request and sends its response; never rejects. */
  route(ctx: Context): void | Promise<void> {
    const refusal = this.#refuse(ctx);
    if (refusal !== undefined) return this.fail(ctx, refusal);
    const match = this.table.find(ctx.method, ctx.path);
    if (match === null) return this.#miss(ctx);
    ctx.params = match.params;
    ctx.route = match.entry.info;
    // For the server's access log line: the route's template.
    if (ctx instanceof NodeContext) {
      const facts = requestFacts(ctx.req);
      if (facts !== undefined) facts.route = match.entry.info.path;
    }
    const tooLarge = this.#declaredTooLarge(ctx);
    if (tooLarge !== undefined) return this.fail(ctx, tooLarge);
    let pending: void | Promise<void>;
    try {
      pending = match.entry.endpoint(ctx);
    } catch (error) {
      return this.fail(ctx, error);
    }
    if (pending === undefined) return;
    const handled = pending.then(undefined, (error: unknown) => this.fail(ctx, error));
    // A synchronous endpoint has already answered: only a pending one can miss a deadline.
    const timeout = match.entry.info.timeout ?? this.timeout;
    return timeout === undefined ? handled : this.#deadline(ctx, handled, timeout);
  }

  // Settles when the endpoint does or at the deadline, whichever comes first, so that the 504
  // goes out (on the Fetch path too) while a handler that ignores its signal runs on.
  #deadline(ctx: Context, handled: Promise<void>, timeout: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ctx.outlive(handled);
        const answered = this.#expire(ctx, timeout);
        if (answered === undefined) resolve();
        else void answered.then(resolve);
      }, timeout);
      void handled.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #expire(ctx: Context, timeout: number): void | Promise<void> {
    // A response already under way (a stream) is past the point a 504 could replace it.
    if (ctx.sent) return;
    this.config.stats.timedOut++;
    this.config.logger.warn({ route: ctx.routeName, timeout, status: 504, ...requestFields(ctx) }, `${ctx.routeName} did not finish within its ${timeout} ms deadline: answered 504`);
    ctx.abort(new HandlerTimeout(timeout));
    return this.fail(ctx, new HTTPException(504, "Gateway Timeout"));
  }

  /**
   * Turns an error into a response: the app's handler for it if there is one, else
   * HTTPException as `{"detail": ...}` and anything else as a logged 500.
   */
  fail(ctx: Context, error: unknown): void | Promise<void> {
    // Its error response carries no background tasks, as in Starlette.
    ctx.discardTasks();
    if (this.exceptionHandlers.size > 0 && !(error instanceof ClientDisconnected) && !ctx.sent) {
      const handler = this.exceptionHandlers.find(error);
      if (handler !== undefined) return this.#handle(ctx, error, handler);
    }
    this.#answer(ctx, error);
  }

  async #handle(ctx: Context, error: unknown, handler: ExceptionHandler): Promise<void> {
    try {
      await ctx.sendResponse(await handler(error, ctx));
    } catch (failure) {
      this.config.logger.error({ err: failure, cause: error, route: ctx.routeName, ...requestFields(ctx) }, "An exception handler failed");
      this.#answer(ctx, failure instanceof HTTPException ? failure : new Error("exception handler failed", { cause: failure }), true);
    }
  }

  #answer(ctx: Context, error: unknown, logged = false): void {
    try {
      if (error instanceof ClientDisconnected) {
        this.config.logger.debug({ route: ctx.routeName }, "The client disconnected before the response was sent");
        return;
      }
      // The signal's reason, rethrown by a handler that was answered 504 at its deadline.
      if (error instanceof HandlerTimeout && ctx.sent) {
        this.config.logger.debug({ route: ctx.routeName }, "A handler stopped after its deadline");
        return;
      }
      if (error instanceof HTTPException) {
        ctx.sendJson(error.status, { detail: error.detail }, error.headers);
        return;
      }
      if (!logged) this.config.logger.error({ err: error, route: ctx.routeName, status: 500, ...requestFields(ctx) }, "Unhandled error while handling a request");
      if (!ctx.sent) ctx.sendJson(500, { detail: "Internal Server Error" });
    } catch (secondary) {
      this.config.logger.error({ err: secondary, route: ctx.routeName }, "Could not send the error response");
      if (ctx.sent) return;
      // An HTTPException's own headers may be what failed; if a send hook did, only a response
      // that skips the hooks can still go out.
      try {
        ctx.sendJson(500, { detail: "Internal Server Error" });
      } catch {
        ctx.sendWithoutHooks(500, { "content-type": "application/json" }, '{"detail":"Internal Server Error"}');
      }
    }
  }

  // Checks that need no route: an over-long target, or a query string that cannot be decoded
  // (whether or not the route reads it).
  #refuse(ctx: Context): HTTPException | undefined {
    const limits = this.config.limits;
    if (ctx.path.length + ctx.search.length > limits.maxUrlLength) {
      return new HTTPException(414, "URI Too Long");
    }
    if (ctx.search.includes("%") && !decodable(ctx.search)) {
      return new HTTPException(400, "Invalid percent-encoding in the query string");
    }
    return undefined;
  }

  // A declared body over the limit is refused before a byte of it is read; after routing,
  // because a route may allow more than the app.
  #declaredTooLarge(ctx: Context): HTTPException | undefined {
    const length = ctx.header("content-length");
    if (length === undefined || Number(length) <= ctx.bodyLimit) return undefined;
    return bodyTooLarge(ctx.bodyLimit);
  }

  #miss(ctx: Context): void | Promise<void> {
    const tooLarge = this.#declaredTooLarge(ctx);
    if (tooLarge !== undefined) return this.fail(ctx, tooLarge);
    if (ctx.path.includes("%") && !decodable(ctx.path)) {
      return this.fail(ctx, new HTTPException(400, "Invalid percent-encoding in the path"));
    }
    const allowed = this.table.allowedMethods(ctx.path);
    if (allowed.length > 0) {
      return this.fail(ctx, new HTTPException(405, "Method Not Allowed", { allow: allowed.join(", ") }));
    }
    const other = this.redirectSlashes ? this.#otherSlashForm(ctx.path) : undefined;
    if (other !== undefined) {
      // Behind a proxy that strips the root path, the client must be sent back through it.
      const target = this.rootPath + other;
      const location = ctx.search === "" ? target : `${target}?${ctx.search}`;
      return ctx.send(307, { location }, null);
    }
    // Raised, not sent, so that exception handlers for 404 (and HTTPException) see it, as in Starlette.
    return this.fail(ctx, new HTTPException(404, "Not Found"));
  }

  // FastAPI's redirect_slashes: when only the other form of the path exists, redirect to it.
  // The Location is relative, and a path that would start with "//" is never offered, because
  // a browser reads "//host" as another site.
  #otherSlashForm(path: string): string | undefined {
    if (path === "/") return undefined;
    const other = path.endsWith("/") ? path.slice(0, -1) : `${path}/`;
    if (other.startsWith("//") || other === "") return undefined;
    return this.table.allowedMethods(other).length > 0 ? other : undefined;
  }

  #ensureSent(ctx: Context): void {
    if (ctx.sent) return;
    // The Fetch path must hand back some Response even when its client has gone: nginx's 499
    // says so, and nothing is wrong with the app.
    if (ctx.abortReason instanceof ClientDisconnected) return ctx.sendWithoutHooks(499, {}, null);
    this.config.logger.error({ route: ctx.routeName }, "Endpoint finished without sending a response");
    ctx.sendJson(500, { detail: "Internal Server Error" });
  }
}


/** What an error's log line says about its request: method, path, and the server's request id. */
function requestFields(ctx: Context): { method: string; path: string; requestId?: string } {
  const requestId = ctx instanceof NodeContext ? requestFacts(ctx.req)?.requestId : undefined;
  return requestId === undefined ? { method: ctx.method, path: ctx.path } : { method: ctx.method, path: ctx.path, requestId };
}

function decodable(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function positiveTimeout(timeout: number | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new RangeError(`timeout must be a positive number of milliseconds, got ${timeout}`);
  return timeout;
}
