import { parse as parseQuery } from "fast-querystring";
import { parse as parseCookies } from "cookie";
import type { Readable } from "node:stream";
import type { Logger } from "../common/logger.ts";
import type { RequestLimits } from "./limits.ts";
import { RequestScope, type TasksFactory, type WhenDone } from "./scope.ts";
import { ClientDisconnected } from "./signals.ts";
import { abortWaiters, ownSignal } from "./abort-waiters.ts";
import type { RequestCounters } from "./stats.ts";
import type { ResponseLike } from "./response.ts";
import type { EndpointInto } from "./endpoint-into.ts";

/** What the toolkit shares with every request of one app: its limits, logger and counters. */
export interface AppConfig<Tasks = unknown> {
  readonly limits: RequestLimits;
  readonly logger: Logger;
  /** Makes a request's `tasks` (Spry's BackgroundTasks) on first use; without it, `request.tasks` throws. */
  readonly makeTasks?: TasksFactory<Tasks> | undefined;
  readonly stats: RequestCounters;
  /** The prefix a proxy serves the app under ("" or undefined for none): a request's `rootPath` when it is not mounted. */
  readonly rootPath?: string | undefined;
  /** The app the requests belong to, as `ctx.app`: set by Spry. */
  readonly app?: AppHandle | undefined;
  /** What the app's lifespan yielded, once it has run (undefined before): each request's `state` starts as a copy of it. */
  readonly lifespanState?: (() => object | undefined) | undefined;
}

/**
 * The state an app's lifespan yields, as `ctx.app.state` types it. Empty until your app says
 * what it holds, once, by augmenting this interface from its lifespan (docs/app.md):
 * `declare module "spry" { interface AppState extends LifespanState<typeof lifespan> {} }`.
 * Router modules then read typed state from the request without importing the app.
 */
export interface AppState {}

/**
 * A request's own state (Starlette's `request.state`): what the lifespan yielded, copied for
 * each request and so typed by AppState, plus whatever middleware adds for the handler.
 */
export interface RequestState extends AppState {
  [key: string]: unknown;
}

/** What a request knows of its app: Starlette's `request.app`. */
export interface AppHandle {
  /** What the lifespan yielded; reading it before the app started throws, naming the fix. */
  readonly state: AppState;
  /** The path of a named route of the app, without the root path: Spry's `urlPathFor`. */
  urlPathFor(name: string, params?: Readonly<Record<string, string | number | bigint | boolean>>): string;
}

/**
 * The parameters of a route without any (and of a request not routed yet), shared by all of
 * them: SpryRequest.params gives a request its own empty object only when its code reads them.
 * @internal
 */
export const NO_PARAMS: Record<string, string | undefined> = Object.freeze({});

const NO_APP: AppHandle = {
  get state(): AppState {
    throw new Error("This request belongs to no app with a lifespan: ctx.app.state is a Spry app's");
  },
  urlPathFor(): string {
    throw new Error("This request belongs to no app with named routes: ctx.app.urlPathFor is a Spry app's");
  },
};

/** The route a request matched, for logs and error reports. */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
  /** The route's own body limit, over the app's. */
  readonly bodyLimit?: number | undefined;
  /** The route's own handler deadline in milliseconds, over the app's. */
  readonly timeout?: number | undefined;
}

export type QueryValues = Record<string, string | string[]>;

/** What routing needs of the route a host's own router found: a route table's entry. @internal */
export interface RoutedEntry {
  readonly info: RouteInfo;
  readonly endpoint: (request: SpryRequest<any>) => ResponseLike | Promise<ResponseLike>;
  /** The endpoint's EndpointInto (route-table.ts), where it has one. */
  readonly into?: EndpointInto<SpryRequest<any>> | undefined;
}

/** Where the request came from: the socket's peer, or the client a trusted proxy named (port 0 if it gave none). */
export interface Client {
  readonly address: string;
  readonly port: number;
}

/**
 * One request, read-only, whichever server delivered it: what dispatch, middleware, endpoints
 * and handlers (as their `ctx`) receive. It only reads: the response is a value each layer
 * returns (SpryResponse), and the work left for after the response (`defer`, `tasks`) is kept
 * by the request's scope, which dispatch owns; the request only hands it on.
 *
 * Two transports subclass it, NodeRequest (node:http) and FetchRequest (the Fetch API); they
 * differ only in how headers and the body are read and how a client leaving is noticed. A test
 * suite runs against both.
 *
 * Everything costly is lazy: the query string, cookies, headers object, URL and AbortSignal
 * are built on first use, so a route that reads none of them pays for none of them.
 */
export abstract class SpryRequest<Tasks = unknown> {
  readonly method: string;
  /** The request path as sent, still percent-encoded. */
  readonly path: string;
  readonly config: AppConfig<Tasks>;
  // Undefined until first read when the transport defers it (deferredSearch).
  #search: string | undefined;
  #params: Record<string, string | undefined> = NO_PARAMS;
  /** The matched route; undefined before routing and for 404/405. Set by routing. */
  route: RouteInfo | undefined = undefined;
  // Made on first use: most requests set no header, defer nothing and add no task. `null`:
  // none made yet and the endpoint has returned (endpointReturned), which a scope made later is
  // told at once; one field for both, since making a request on Bun 1.4.5 costs about its size
  // (in-process, CPU time: a 22-field FetchRequest 60-75 ns, an object literal of as many
  // fields 55, of 17 fields 25-37).
  #scope: RequestScope<Tasks> | null | undefined;
  #query: QueryValues | undefined;
  #body: Promise<Uint8Array> | undefined;
  #controller: AbortController | undefined;
  #seldom: Seldom | undefined;

  /** Its place among the dispatcher's requests in flight (in-flight.ts); -1 when not there. @internal */
  inFlightSlot = -1;

  /**
   * The route a host's own router already found for this request (`app.bun`'s routes), so that
   * routing does not look it up again; set by the transport. @internal
   */
  // Declared, not defined: only FetchRequest sets it, so a NodeRequest carries no slot for it
  // (8 B of each parked `/slow_task/` request) and reads it as missing, undefined.
  declare routed: RoutedEntry | undefined;

  /**
   * `target` is the request target (path and query); given `search`, it is the path alone, as a
   * host that routed the request knows it, and `search` the query, or `null` when the transport
   * reads it on first use (deferredSearch).
   */
  constructor(method: string, target: string, config: AppConfig<Tasks>, search?: string | null) {
    this.method = method;
    this.config = config;
    if (search !== undefined) {
      this.path = target;
      this.#search = search ?? undefined;
      return;
    }
    const q = target.indexOf("?");
    this.path = q === -1 ? target : target.slice(0, q);
    this.#search = q === -1 ? "" : target.slice(q + 1);
  }

  /** The raw query string, without the `?`; empty when there is none. */
  get search(): string {
    return (this.#search ??= this.deferredSearch());
  }

  /**
   * The query of a request whose transport deferred it (a `null` search): read on first use,
   * and checked then, since routing did not (FetchRequest on app.bun's routes). It may throw the
   * target's refusal (limits.ts, checkTarget); the query stays unread until a read succeeds.
   */
  protected deferredSearch(): string {
    return "";
  }

  /** Path parameters, decoded; set once, by routing, when the route matched. The request's own object: code may add to it. */
  get params(): Record<string, string | undefined> {
    const params = this.#params;
    return params === NO_PARAMS ? (this.#params = {}) : params;
  }

  set params(params: Record<string, string | undefined>) {
    this.#params = params;
  }

  /**
   * This request's response headers and after-response work (see RequestScope), made on first
   * use; dispatch drives it.
   * @internal spry's own layers use it; not part of the published types.
   */
  get scope(): RequestScope<Tasks> {
    const made = this.#scope;
    if (made) return made;
    const scope = (this.#scope = new RequestScope(this));
    if (made === null) scope.endpointReturned();
    return scope;
  }

  /** The scope if anything has used it, else undefined: what dispatch and the error layers check. @internal */
  get usedScope(): RequestScope<Tasks> | undefined {
    return this.#scope ?? undefined;
  }

  /** Called by dispatch once the layers have returned: the scope's deferred work may then run. @internal */
  endpointReturned(): void {
    const scope = this.#scope;
    if (scope === undefined) this.#scope = null;
    else scope?.endpointReturned();
  }

  /**
   * Query parameters; a key given more than once maps to an array, in order. Their number was
   * checked against `limits.maxQueryKeys` by routing, and their escapes decoded there (400); on
   * app.bun's routes, on this first read, which throws the refusal (HTTPException 400, 413, 414).
   */
  get query(): QueryValues {
    return (this.#query ??= this.search === "" ? {} : (parseQuery(this.search) as QueryValues));
  }

  /**
   * The app this request belongs to (Starlette's `request.app`): `ctx.app.state` is what the
   * lifespan yielded, typed by AppState, so a router module reaches it without importing the app.
   */
  get app(): AppHandle {
    return this.config.app ?? NO_APP;
  }

  /** Cookies from the Cookie header. */
  get cookies(): Record<string, string | undefined> {
    const seldom = this.seldom;
    if (seldom.cookies !== undefined) return seldom.cookies;
    const header = this.header("cookie");
    return (seldom.cookies = header === undefined ? {} : parseCookies(header));
  }

  /** What this request holds only once something asks for it (Seldom), made on first use. @internal */
  protected get seldom(): Seldom {
    return (this.#seldom ??= new Seldom());
  }

  /** A header's value by lower-case name; repeated headers are joined with ", ". */
  abstract header(name: string): string | undefined;

  /** Every value of a repeated header, in order. */
  abstract headerValues(name: string): string[];

  /** The lower-case name of every header the request carries, each once, as received. */
  abstract headerNames(): string[];

  /** Every header, as a Fetch API Headers (built on first use). */
  abstract get headers(): Headers;

  /**
   * Who sent the request: the socket's peer, or, behind a proxy spry's server trusts
   * (`--proxy-headers`, `forwardedAllowIps`), the client the proxy named. Undefined on a Fetch
   * host that does not say.
   */
  abstract get client(): Client | undefined;

  /**
   * The scheme the client used: TLS on node's socket (or what a trusted proxy said, as
   * `client`), or the Fetch URL's.
   */
  abstract get scheme(): "http" | "https";

  /** The Host header (a trusted proxy's X-Forwarded-Host); on the Fetch path without one, the authority of the request's URL. */
  abstract get authority(): string | undefined;

  /**
   * The id spry's server gave this request (a trusted client's X-Request-ID, else a new UUID-shaped one),
   * echoed in the response's X-Request-ID and on its log lines; undefined when no spry server
   * stands in front (a Fetch host, `http.createServer(app.handleNode)`).
   */
  get requestId(): string | undefined {
    return undefined;
  }

  /** Called by routing once the route is found: its parameters, and which route it is. */
  matched(params: Record<string, string | undefined>, route: RouteInfo): void {
    this.#params = params;
    this.route = route;
  }

  /** The full URL, from the Host header (or the Fetch Request's own URL). */
  get url(): URL {
    return (this.seldom.url ??= this.fullUrl());
  }

  protected abstract fullUrl(): URL;

  /**
   * An absolute URL to the app's route `name` with `params` put in: FastAPI's
   * `request.url_for`. Its scheme and host are the ones the client used (a trusted proxy's
   * X-Forwarded-Proto and -Host), its path starts with the request's root path (the proxy's
   * prefix, `--root-path`, and any mounts). See Spry's `urlPathFor` for names and parameters.
   *
   * @example
   * app.post("/items", { item: Item }, ({ item }, ctx) => {
   *   const id = save(item);
   *   return new Response(null, { status: 201, headers: { location: ctx.urlFor("readItem", { item_id: id }).href } });
   * });
   */
  urlFor(name: string, params?: Readonly<Record<string, string | number | bigint | boolean>>): URL {
    // Joined as text, not resolved against the URL: a path starting "//" stays a path.
    return new URL(`${this.url.origin}${this.rootPath}${this.app.urlPathFor(name, params)}`);
  }

  /**
   * Yours, for this request only: middleware puts what it learned here (a user, a request id)
   * for the handler to read, as Starlette's `request.state`. It starts as a shallow copy of
   * what the lifespan yielded (typed by AppState), as Starlette's does: a key set here stays
   * with this request, while the objects it holds (a pool, a client) are the app's own.
   */
  get state(): RequestState {
    return (this.seldom.state ??= { ...this.config.lifespanState?.() }) as RequestState;
  }

  /**
   * Aborted when the client goes away before the response is complete (reason:
   * ClientDisconnected), or at the handler's deadline (reason: HandlerTimeout). Created on first
   * use: a request whose code never reads it pays nothing for it.
   */
  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    // Here rather than in a private method: a class with one gives each instance a slot more
    // (its brand).
    const controller = new AbortController();
    ownSignal(controller.signal);
    if (this.abortReason === undefined) this.watchClient();
    // Also when watchClient found the client already gone: abort() ran before this controller
    // was the request's, so it could not abort it.
    const reason = this.abortReason;
    if (reason !== undefined) controller.abort(reason);
    return (this.#controller = controller).signal;
  }

  /**
   * Arranges for clientLeft to be called if the client goes away before the response is
   * complete; called once, when the signal is first read. A method rather than a callback
   * handed in: no closure kept for each request whose handler holds its signal while it waits.
   */
  protected abstract watchClient(): void;

  /** For watchClient: the client went away before the response was complete. */
  protected clientLeft(): void {
    this.abort(new ClientDisconnected());
  }

  /**
   * Aborts this request's signal with `reason`, now or, if nothing has read the signal yet,
   * the moment something does. Only the first reason counts. Dispatch calls it at a deadline.
   */
  abort(reason: Error): void {
    const seldom = this.seldom;
    if (seldom.abortReason !== undefined) return;
    seldom.abortReason = reason;
    if (reason instanceof ClientDisconnected) this.config.stats.cancelled++;
    const controller = this.#controller;
    if (controller === undefined) return;
    controller.abort(reason);
    abortWaiters(controller.signal, reason);
  }

  /** Why the signal was aborted, if it was. */
  get abortReason(): Error | undefined {
    return this.#seldom?.abortReason;
  }

  /**
   * `fetch()` tied to this request: aborted when the client leaves or the deadline passes
   * (and by `init.signal`, if given), so an upstream call never outlives the request it serves.
   *
   * @example
   * app.get("/proxy/{id}", { id: z.int() }, async ({ id }, ctx) => (await ctx.fetch(`${UPSTREAM}/items/${id}`)).json());
   */
  get fetch(): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
    // A getter returning a bound function, so that `{ fetch }` can be destructured from a
    // handler's ctx; made only when read.
    return (input, init = {}) => {
      const signal = init.signal ? AbortSignal.any([this.signal, init.signal]) : this.signal;
      return fetch(input, { ...init, signal });
    };
  }

  /**
   * The path this app is served under, ASGI's root_path: where it is mounted inside another
   * (`app.mount("/v2", app2)` gives "/v2"; mounts nest and add up), else the prefix its proxy
   * strips (`rootPath`, `--root-path`), else "". Links an app builds to itself start with it.
   */
  get rootPath(): string {
    return this.config.rootPath ?? "";
  }

  /**
   * The body length the client declared (its Content-Length), for routing's 413 before the
   * endpoint runs; undefined when it declared none. @internal
   */
  declaredLength(): string | undefined {
    return this.header("content-length");
  }

  /** The body limit in force: the route's own, else the app's. */
  get bodyLimit(): number {
    return this.route?.bodyLimit ?? this.config.limits.bodyLimit;
  }

  /**
   * The whole request body, decoded (gzip, deflate, br) and refused with 413 past the body
   * limit. Read once and kept, so a handler can still read the raw bytes of a parsed body.
   */
  body(): Promise<Uint8Array> {
    return (this.#body ??= this.readBody());
  }

  /** The request body as a stream of decoded bytes, under the same limit; for large uploads. */
  abstract bodyStream(): Readable;

  protected abstract readBody(): Promise<Uint8Array>;

  /**
   * Calls `done` once, when this request's response is complete or abandoned. The transport
   * knows when: node:http's "close" (or spry's server saying so), or the Fetch Response handed
   * back. An object's responseDone() is called instead, where it is given one (the scope).
   */
  abstract whenDone(done: WhenDone): void;

  /**
   * Runs `task` once the response has been sent, or the client has gone: cleanup such as
   * removing an upload's temporary file. Tasks run in order; a failing one is logged with the
   * route and the rest still run. Kept by the request's scope.
   */
  get defer(): (task: () => unknown) => void {
    // Bound, as `fetch` is, so that `{ defer }` destructures.
    return (task) => this.scope.defer(task);
  }

  /**
   * This request's background tasks (Spry's BackgroundTasks): work that runs after the
   * response has been sent, or is stored on the app's queue. Made on first use by the scope.
   *
   * @example
   * app.post("/users", { email: body(z.email()) }, async ({ email }, { tasks }) => {
   *   await tasks.add(sendWelcome, { email });
   *   return { email };
   * });
   */
  get tasks(): Tasks {
    return this.scope.tasks;
  }

  /**
   * Sets a header on this request's response, whatever answers it (the handler's value, an
   * error, middleware). A value with CR, LF or another control character throws
   * InvalidHeaderError here, where the caller can be found.
   */
  get setHeader(): (name: string, value: string | string[]) => void {
    // Bound, as `fetch` is, so that `{ setHeader }` destructures.
    return (name, value) => this.scope.setHeader(name, value);
  }

  /** The matched route as logs name it (`GET /items/{item_id}`), else the method and path. */
  get routeName(): string {
    return this.route === undefined ? `${this.method} ${this.path}` : `${this.route.method} ${this.route.path}`;
  }
}

/**
 * What a request holds only once its code (or an abort) asks for it: its cookies, URL, state,
 * headers object and abort reason, in one object made on first use, so that a request that
 * needs none of them carries one field for them all, not one each (a parked `/slow_task/`
 * request, which reads none of them, keeps 32 B less: bench/parked-heap.mjs). @internal
 */
export class Seldom {
  cookies: Record<string, string | undefined> | undefined = undefined;
  url: URL | undefined = undefined;
  state: Record<string, unknown> | undefined = undefined;
  /** The transport's Headers (NodeRequest's), built on first use. */
  headers: Headers | undefined = undefined;
  abortReason: Error | undefined = undefined;
}

/** What a log line about a request says of it: method, path, and the server's request id when there is one. */
export function requestFields(request: SpryRequest<any>): { method: string; path: string; requestId?: string } {
  const requestId = request.requestId;
  return requestId === undefined ? { method: request.method, path: request.path } : { method: request.method, path: request.path, requestId };
}
