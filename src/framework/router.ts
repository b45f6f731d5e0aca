import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Method } from "../toolkit/route-table.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import type { JsonReply } from "./respond.ts";
import type { ServerSentEvent } from "../toolkit/streams/server-sent-events.ts";
import type { AnyHandler } from "./endpoint.ts";
import type { Inputs } from "./dependencies/dependency.ts";
import type { RouteOptions } from "./route-options.ts";
import type { Handler } from "./types.ts";
import type { WebSocketLimits } from "../toolkit/websocket/transport.ts";
import type { WebSocketMethod, WebSocketRouteOptions } from "./websocket-route.ts";

/** A route as declared, before it is compiled into an app. */
export interface RouteDefinition {
  readonly method: Method;
  readonly path: string;
  readonly inputs: Inputs;
  readonly handler: AnyHandler;
  readonly options: RouteOptions;
  /** Where the route was declared: its stack, formatted only if the OpenAPI document asks. */
  readonly site?: Error;
  /** Set on a WebSocket route: its limits over the app's. Such routes are not in the OpenAPI document. */
  readonly websocket?: Partial<WebSocketLimits>;
}

/**
 * What a handler may return: anything, or with a response model, a value of the model's input
 * type, a `json(value, { status })` reply, a Response, or (an async generator) a stream of them.
 */
export type Returns<S extends StandardSchemaV1 | undefined> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferInput<S> | JsonReply | Response | AsyncIterable<StandardSchemaV1.InferInput<S> | ServerSentEvent>
  : unknown;

/** Registers a route for one HTTP method; the same signature for every method. */
export interface RouteMethod<Self> {
  <const P extends string, S extends StandardSchemaV1 | undefined = undefined>(
    path: P,
    handler: Handler<P, {}, Returns<S>>,
    options?: RouteOptions<S>,
  ): Self;
  <const P extends string, const I extends Inputs, S extends StandardSchemaV1 | undefined = undefined>(
    path: P,
    inputs: I,
    handler: Handler<P, I, Returns<S>>,
    options?: RouteOptions<S>,
  ): Self;
}

export interface RouterOptions {
  /** Prepended to every route path of this router, e.g. "/items". */
  prefix?: string;
  /** OpenAPI tags added to every route of this router. */
  tags?: string[];
  /** Dependencies run for every route of this router, before the route's own. */
  dependencies?: Dependency<unknown>[];
}

/**
 * A group of routes with a common prefix and tags, included into an app or another router,
 * like FastAPI's APIRouter.
 *
 * @example
 * const items = new Router({ prefix: "/items", tags: ["items"] });
 * items.get("/{item_id}", { item_id: z.int() }, ({ item_id }) => ({ item_id }));
 * app.include(items);
 */
export class Router {
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly dependencies: readonly Dependency<unknown>[];
  readonly #routes: RouteDefinition[] = [];

  constructor(options: RouterOptions = {}) {
    this.prefix = normalizePrefix(options.prefix ?? "");
    this.tags = options.tags ?? [];
    this.dependencies = options.dependencies ?? [];
  }

  readonly get: RouteMethod<this> = this.#method("GET");
  readonly post: RouteMethod<this> = this.#method("POST");
  readonly put: RouteMethod<this> = this.#method("PUT");
  readonly patch: RouteMethod<this> = this.#method("PATCH");
  readonly delete: RouteMethod<this> = this.#method("DELETE");
  readonly options: RouteMethod<this> = this.#method("OPTIONS");
  readonly head: RouteMethod<this> = this.#method("HEAD");

  /**
   * Declares a WebSocket route: its inputs (path, query, header, cookie) and dependencies are
   * read from the handshake request exactly as for an HTTP route, with the same types; invalid
   * inputs close the socket with 1008 and the errors. The handler gets the inputs and the socket.
   *
   * @example
   * app.websocket("/ws/{room}", { room: z.string(), token: query(z.string()) }, async ({ room, token }, ws) => {
   *   await ws.accept();
   *   for await (const message of ws) await ws.send(`${room}: ${message}`);
   * });
   */
  readonly websocket: WebSocketMethod<this> = ((path: string, ...rest: unknown[]): this => {
    const [inputs, handler, options] = typeof rest[0] === "function" ? [{}, rest[0], rest[1]] : [rest[0], rest[1], rest[2]];
    if (typeof handler !== "function") throw new TypeError(`WEBSOCKET ${path}: the handler must be a function`);
    const { dependencies, ...limits } = (options ?? {}) as WebSocketRouteOptions;
    this.addRoute({
      method: "GET",
      path,
      inputs: (inputs ?? {}) as Inputs,
      handler: handler as AnyHandler,
      options: { dependencies: dependencies ?? [], includeInSchema: false },
      site: declarationSite(),
      websocket: limits,
    });
    return this;
  }) as WebSocketMethod<this>;

  /** The routes declared on this router, with its prefix and tags applied. */
  get routes(): readonly RouteDefinition[] {
    return this.#routes;
  }

  /**
   * Adds every route of `router` to this one, under an extra prefix and tags.
   * Routes added to `router` afterwards are not included, as in FastAPI.
   */
  include(router: Router, options: RouterOptions = {}): this {
    const prefix = normalizePrefix(options.prefix ?? "");
    for (const route of router.routes) {
      this.addRoute({
        ...route,
        path: prefix + route.path,
        options: {
          ...route.options,
          tags: [...(options.tags ?? []), ...(route.options.tags ?? [])],
          dependencies: [...(options.dependencies ?? []), ...(route.options.dependencies ?? [])],
        },
      });
    }
    return this;
  }

  /** Adds a route; the method helpers (`get`, `post`, ...) all come here. */
  protected addRoute(route: RouteDefinition): void {
    this.#routes.push({
      ...route,
      path: this.prefix + route.path,
      options: {
        ...route.options,
        tags: unique([...this.tags, ...(route.options.tags ?? [])]),
        dependencies: [...this.dependencies, ...(route.options.dependencies ?? [])],
      },
    });
  }

  #method(method: Method): RouteMethod<this> {
    const register = (path: string, ...rest: unknown[]): this => {
      const [inputs, handler, options] =
        typeof rest[0] === "function" ? [{}, rest[0], rest[1]] : [rest[0], rest[1], rest[2]];
      if (typeof handler !== "function") throw new TypeError(`${method} ${path}: the handler must be a function`);
      this.addRoute({
        method,
        path,
        inputs: (inputs ?? {}) as Inputs,
        handler: handler as AnyHandler,
        options: (options ?? {}) as RouteOptions,
        site: declarationSite(),
      });
      return this;
    };
    return register as RouteMethod<this>;
  }
}

// Two frames, this helper's caller and its caller: the user's call to app.get(). Fewer frames
// keep both capturing (per route) and formatting (per document, source-mapped) cheap.
function declarationSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 3;
  try {
    return new Error("route declared here");
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function normalizePrefix(prefix: string): string {
  if (prefix === "") return "";
  if (!prefix.startsWith("/") || prefix.endsWith("/")) {
    throw new Error(`A prefix must start with "/" and not end with "/": ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
