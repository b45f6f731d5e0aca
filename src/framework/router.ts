import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Method } from "../toolkit/route-table.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import type { JsonReply } from "./respond.ts";
import type { ServerSentEvent } from "../toolkit/streams/server-sent-events.ts";
import type { AnyHandler } from "./endpoint.ts";
import type { Inputs } from "./dependencies/dependency.ts";
import type { Responses, RouteOptions } from "./route-options.ts";
import type { CheckedHandler } from "./checked-handler.ts";
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

/**
 * What the types remember of one route, for the typed client (spry/client): its declared
 * inputs, response model, status and other responses, as written. Nothing is computed here:
 * the client works out what it needs only for the routes it calls, which keeps an app of
 * hundreds of routes cheap to type-check.
 */
export interface RouteType<I = unknown, S = unknown, C = unknown, Rs = unknown> {
  readonly inputs: I;
  readonly response: S;
  readonly status: C;
  readonly responses: Rs;
}

/** One route's entry in a router's route map: path, then method. */
export type RouteEntry<P extends string, M extends Method, R> = { [K in P]: { [N in M]: R } };

/** A route map with `prefix` in front of every path, as `include(router, { prefix })` mounts it. */
export type Prefixed<Prefix extends string, Routes> = [Prefix] extends [""]
  ? Routes
  : { [K in keyof Routes & string as `${Prefix}${K}`]: Routes[K] };

/** A router's prefix type as a string: never (no prefix) is "". */
type OwnPrefix<P extends string> = [P] extends [never] ? "" : P;

/**
 * Type-level only: how a router's type is rebuilt with more routes, so that chained
 * registration returns a Spry from a Spry and a Router from a Router (`this` cannot change
 * its type arguments). `Routes` is filled in through the intersection, see Rebuilt.
 */
export interface Rebuild {
  readonly routes: unknown;
  readonly result: unknown;
}

/** The router type `B` describes, holding `Routes`. */
export type Rebuilt<B extends Rebuild, Routes> = (B & { readonly routes: Routes })["result"];

interface RouterRebuild<Prefix extends string> extends Rebuild {
  readonly result: Router<this["routes"] & object, Prefix>;
}

/**
 * Registers a route for one HTTP method; the same signature for every method. It returns the
 * router with the route in its type, so that `export type App = typeof app` of a chained
 * declaration carries every route to the typed client; a call on its own line works as well.
 * With a `response` model the handler must return the model's input type (literal and enum
 * fields included, no `as const` needed), a `json()` reply or a Response.
 */
export interface RouteMethod<M extends Method, Routes, B extends Rebuild> {
  <const P extends string, S extends StandardSchemaV1 | undefined = undefined, C extends number = 200, Rs extends Responses = {}, R = unknown>(
    path: P,
    handler: CheckedHandler<P, {}, S, R>,
    options?: RouteOptions<S, C, Rs>,
  ): Rebuilt<B, Routes & RouteEntry<P, M, RouteType<{}, S, C, Rs>>>;
  <const P extends string, const I extends Inputs, S extends StandardSchemaV1 | undefined = undefined, C extends number = 200, Rs extends Responses = {}, R = unknown>(
    path: P,
    inputs: I,
    handler: CheckedHandler<P, I, S, R>,
    options?: RouteOptions<S, C, Rs>,
  ): Rebuilt<B, Routes & RouteEntry<P, M, RouteType<I, S, C, Rs>>>;
  // The first signature again, last: when every signature fails TypeScript reports the last
  // one, and a handler without inputs whose return misses its model should hear about the
  // field, not about `Inputs`. (It must stay first too: a handler without parameters is typed
  // by the first signature that sees it, literals and all.)
  <const P extends string, S extends StandardSchemaV1 | undefined = undefined, C extends number = 200, Rs extends Responses = {}, R = unknown>(
    path: P,
    handler: CheckedHandler<P, {}, S, R>,
    options?: RouteOptions<S, C, Rs>,
  ): Rebuilt<B, Routes & RouteEntry<P, M, RouteType<{}, S, C, Rs>>>;
}

export interface RouterOptions<Prefix extends string = string> {
  /** Prepended to every route path of this router, e.g. "/items". */
  prefix?: Prefix;
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
export class Router<Routes extends object = {}, Prefix extends string = never> {
  /**
   * Type-level only, never set: the routes declared by chaining, path to method to RouteType
   * (relative to this router's own prefix), read by spry/client.
   */
  declare readonly "~routes": Routes;
  // Type-level only: this router's prefix (never when it has none), in a parameter's place so
  // that a router with a prefix is still assignable to a plain `Router` annotation.
  declare readonly "~prefix": (prefix: Prefix) => void;
  /** Type-level only: how chaining rebuilds this type (see Rebuild). */
  declare readonly "~rebuild": RouterRebuild<Prefix>;
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly dependencies: readonly Dependency<unknown>[];
  readonly #routes: RouteDefinition[] = [];

  constructor(options: RouterOptions<Prefix> = {}) {
    this.prefix = normalizePrefix(options.prefix ?? "");
    this.tags = options.tags ?? [];
    this.dependencies = options.dependencies ?? [];
  }

  readonly get: RouteMethod<"GET", Routes, this["~rebuild"]> = this.#method("GET");
  readonly post: RouteMethod<"POST", Routes, this["~rebuild"]> = this.#method("POST");
  readonly put: RouteMethod<"PUT", Routes, this["~rebuild"]> = this.#method("PUT");
  readonly patch: RouteMethod<"PATCH", Routes, this["~rebuild"]> = this.#method("PATCH");
  readonly delete: RouteMethod<"DELETE", Routes, this["~rebuild"]> = this.#method("DELETE");
  readonly options: RouteMethod<"OPTIONS", Routes, this["~rebuild"]> = this.#method("OPTIONS");
  /** Declared before or after `get()` on the same path, it replaces the HEAD that `get()` answers. */
  readonly head: RouteMethod<"HEAD", Routes, this["~rebuild"]> = this.#method("HEAD");
  readonly trace: RouteMethod<"TRACE", Routes, this["~rebuild"]> = this.#method("TRACE");

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
  include<R extends object, P extends string, const Prefix2 extends string = "">(
    router: Router<R, P>,
    options: RouterOptions<Prefix2> = {},
  ): Rebuilt<this["~rebuild"], Routes & Prefixed<`${Prefix2}${OwnPrefix<P>}`, R>> {
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
    return this as Rebuilt<this["~rebuild"], Routes & Prefixed<`${Prefix2}${OwnPrefix<P>}`, R>>;
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

  #method<M extends Method>(method: M): RouteMethod<M, Routes, this["~rebuild"]> {
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
    return register as RouteMethod<M, Routes, this["~rebuild"]>;
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
