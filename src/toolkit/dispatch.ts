import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig, Context } from "./context.ts";
import { HTTPException } from "./exceptions.ts";
import { bodyTooLarge } from "./request-body.ts";
import { ExceptionHandlers, type ExceptionHandler } from "./exception-handlers.ts";
import { compose, type Middleware } from "./middleware.ts";
import { withContext } from "./request-context.ts";
import { FetchContext } from "./fetch-context.ts";
import { NodeContext } from "./node-context.ts";
import { ClientDisconnected } from "./signals.ts";
import type { RouteTable } from "./route-table.ts";

/**
 * From a request to its endpoint: limits checked before any routing, the route looked up,
 * 404, 405 with Allow, and FastAPI's redirect_slashes for misses, and every error turned into
 * a response. Both server paths enter here: `handleNode` and `fetch` differ only in their context.
 */
export class Dispatcher {
  readonly table: RouteTable;
  readonly config: AppConfig;
  readonly redirectSlashes: boolean;

  constructor(table: RouteTable, config: AppConfig, redirectSlashes: boolean) {
    this.table = table;
    this.config = config;
    this.redirectSlashes = redirectSlashes;
  }

  /** The native node:http path. Pass it to `http.createServer`. */
  readonly handleNode = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = new NodeContext(req, res, this.config);
    const pending = this.requestContext ? withContext(ctx, () => this.dispatch(ctx)) : this.dispatch(ctx);
    if (pending === undefined) return this.#ensureSent(ctx);
    // A connection that closed first has nobody left to answer.
    void pending.then(() => {
      if (!res.destroyed) this.#ensureSent(ctx);
    });
  };

  /** The Fetch API path: the standard interface any Fetch-speaking host can serve. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const ctx = new FetchContext(request, this.config);
    await (this.requestContext ? withContext(ctx, () => this.dispatch(ctx)) : this.dispatch(ctx));
    this.#ensureSent(ctx);
    ctx.finish();
    return ctx.response!;
  };

  readonly exceptionHandlers = new ExceptionHandlers();
  /** Whether each request runs with its context as currentContext(). */
  requestContext = false;
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
    const tooLarge = this.#declaredTooLarge(ctx);
    if (tooLarge !== undefined) return this.fail(ctx, tooLarge);
    let pending: void | Promise<void>;
    try {
      pending = match.entry.endpoint(ctx);
    } catch (error) {
      return this.fail(ctx, error);
    }
    if (pending !== undefined) return pending.then(undefined, (error: unknown) => this.fail(ctx, error));
  }

  /**
   * Turns an error into a response: the app's handler for it if there is one, else
   * HTTPException as `{"detail": ...}` and anything else as a logged 500.
   */
  fail(ctx: Context, error: unknown): void | Promise<void> {
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
      this.config.logger.error({ err: failure, cause: error, route: ctx.routeName }, "An exception handler failed");
      this.#answer(ctx, failure instanceof HTTPException ? failure : new Error("exception handler failed", { cause: failure }), true);
    }
  }

  #answer(ctx: Context, error: unknown, logged = false): void {
    try {
      if (error instanceof ClientDisconnected) {
        this.config.logger.debug({ route: ctx.routeName }, "The client disconnected before the response was sent");
        return;
      }
      if (error instanceof HTTPException) {
        ctx.sendJson(error.status, { detail: error.detail }, error.headers);
        return;
      }
      if (!logged) this.config.logger.error({ err: error, route: ctx.routeName }, "Unhandled error while handling a request");
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
      const location = ctx.search === "" ? other : `${other}?${ctx.search}`;
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
    this.config.logger.error({ route: ctx.routeName }, "Endpoint finished without sending a response");
    ctx.sendJson(500, { detail: "Internal Server Error" });
  }
}


function decodable(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
