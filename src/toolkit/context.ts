import { parse as parseQuery } from "fast-querystring";
import { parse as parseCookies } from "cookie";
import type { Readable } from "node:stream";
import { HTTPException } from "../common/http-exception.ts";
import { checkHeaders, InvalidHeaderError, validHeader, type OutgoingHeaders } from "./header-check.ts";
import type { RequestLimits } from "./limits.ts";
import type { Logger } from "../common/logger.ts";
import { BackgroundTasks } from "../tasks/background-tasks.ts";
import type { TaskRunner } from "../tasks/runner.ts";
import { ClientDisconnected } from "./signals.ts";
import type { RequestCounters } from "./stats.ts";

/** What the toolkit shares with every request of one app: its limits, logger and counters. */
export interface AppConfig {
  readonly limits: RequestLimits;
  readonly logger: Logger;
  /** Where background tasks go and which are pending: set by Spry, and needed by ctx.tasks. */
  readonly tasks?: TaskRunner | undefined;
  readonly stats: RequestCounters;
  /** The app the requests belong to, as `ctx.app`: set by Spry. */
  readonly app?: AppHandle | undefined;
}

/**
 * The state an app's lifespan yields, as `ctx.app.state` types it. Empty until your app says
 * what it holds, once, by augmenting this interface from its lifespan (docs/app.md):
 * `declare module "spry" { interface AppState extends LifespanState<typeof lifespan> {} }`.
 * Router modules then read typed state from the request without importing the app.
 */
export interface AppState {}

/** What a request knows of its app: Starlette's `request.app`. */
export interface AppHandle {
  /** What the lifespan yielded; reading it before the app started throws, naming the fix. */
  readonly state: AppState;
}

const NO_APP: AppHandle = {
  get state(): AppState {
    throw new Error("This request belongs to no app with a lifespan: ctx.app.state is a Spry app's");
  },
};

export type { OutgoingHeaders } from "./header-check.ts";

/** A response on its way out, as send hooks see and change it. */
export interface Outgoing {
  status: number;
  /** Lower-case names; an array is sent as repeated header lines. */
  headers: OutgoingHeaders;
  body: string | Uint8Array | ReadableStream<Uint8Array> | null;
}

/** Sees, and may change, every response just before it is written. See Context.onSend. */
export type SendHook = (outgoing: Outgoing, ctx: Context) => void;

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

/**
 * One request in flight, whichever server delivered it: the single object every layer
 * (dispatch, middleware, endpoint) receives. Two implementations exist, NodeContext for the
 * native node:http path and FetchContext for the Fetch API path; a test suite runs against both.
 *
 * Everything costly is lazy: the query string, cookies and the AbortSignal are built on first
 * use, so a route that reads none of them pays for none of them.
 */
export abstract class Context {
  readonly method: string;
  /** The request path as sent, still percent-encoded. */
  readonly path: string;
  /** The raw query string, without the `?`; empty when there is none. */
  readonly search: string;
  readonly config: AppConfig;
  /** Path parameters, decoded, set by the router once the route matched. */
  params: Record<string, string | undefined> = {};
  /** The matched route; undefined before routing and for 404/405. */
  route: RouteInfo | undefined = undefined;
  #query: QueryValues | undefined;
  #cookies: Record<string, string | undefined> | undefined;
  #body: Promise<Uint8Array> | undefined;
  #deferred: (() => unknown)[] | undefined;
  #hooks: SendHook[] | undefined;
  #tasks: BackgroundTasks | undefined;
  #controller: AbortController | undefined;
  #abortReason: Error | undefined;
  // Deferred tasks wait for both: the response being done and the endpoint having returned,
  // so that a teardown never runs under a handler that is still using the resource (after a
  // timeout's 504, or a client that left).
  #responseDone = false;
  #endpointDone = false;
  #work: Promise<unknown> | undefined;

  constructor(method: string, target: string, config: AppConfig) {
    this.method = method;
    this.config = config;
    const q = target.indexOf("?");
    this.path = q === -1 ? target : target.slice(0, q);
    this.search = q === -1 ? "" : target.slice(q + 1);
  }

  /** Query parameters; a key given more than once maps to an array, in order. */
  get query(): QueryValues {
    return (this.#query ??= readQuery(this.search, this.config.limits.maxQueryKeys));
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
    return (this.#cookies ??= parseCookieHeader(this.header("cookie")));
  }

  /** A header's value by lower-case name; repeated headers are joined with ", ". */
  abstract header(name: string): string | undefined;

  /** Every value of a repeated header, in order. */
  abstract headerValues(name: string): string[];

  /** The lower-case name of every header the request carries, each once, as received. */
  abstract headerNames(): string[];

  /**
   * Aborted when the client goes away before the response is complete (reason:
   * ClientDisconnected), or at the handler's deadline (reason: HandlerTimeout). Created on first
   * use: a request whose code never reads it pays nothing for it.
   */
  get signal(): AbortSignal {
    return (this.#controller ??= this.#watch()).signal;
  }

  #watch(): AbortController {
    const controller = new AbortController();
    if (this.#abortReason !== undefined) controller.abort(this.#abortReason);
    else this.watchClient(() => this.abort(new ClientDisconnected()));
    return controller;
  }

  /**
   * Arranges for `leave` to be called if the client goes away before the response is
   * complete; called once, when the signal is first read.
   */
  protected abstract watchClient(leave: () => void): void;

  /**
   * Aborts this request's signal with `reason`, now or, if nothing has read the signal yet,
   * the moment something does. Only the first reason counts.
   */
  abort(reason: Error): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    if (reason instanceof ClientDisconnected) this.config.stats.cancelled++;
    this.#controller?.abort(reason);
  }

  /**
   * `fetch()` tied to this request: aborted when the client leaves or the deadline passes
   * (and by `init.signal`, if given), so an upstream call never outlives the request it serves.
   *
   * @example
   * app.get("/proxy/{id}", { id: z.int() }, async ({ id }, ctx) => (await ctx.fetch(`${UPSTREAM}/items/${id}`)).json());
   */
  fetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const signal = init.signal ? AbortSignal.any([this.signal, init.signal]) : this.signal;
    return fetch(input, { ...init, signal });
  }

  /** Why the signal was aborted, if it was. */
  get abortReason(): Error | undefined {
    return this.#abortReason;
  }

  /** Whether a response has been started; a second one is never sent. */
  abstract get sent(): boolean;

  /**
   * The path this app is mounted at inside another (`app.mount("/v2", app2)` gives "/v2"), ""
   * when it is not mounted: ASGI's root_path. Links an app builds to itself start with it.
   */
  get rootPath(): string {
    return "";
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

  /**
   * Runs `task` once the response has been sent, or the client has gone: cleanup such as
   * removing an upload's temporary file. Tasks run in order; a failing one is logged with the
   * route and the rest still run.
   */
  defer(task: () => unknown): void {
    if (this.#deferred === undefined) {
      this.#deferred = [];
      this.whenDone(() => {
        this.#responseDone = true;
        if (this.#endpointDone) void this.#runDeferred();
      });
    }
    this.#deferred.push(task);
  }

  /**
   * Has deferred tasks wait for `work` as well: an endpoint still running after its response
   * went out (a 504 at its deadline).
   */
  outlive(work: Promise<unknown>): void {
    this.#work = work;
  }

  /** Called by dispatch once the middleware and endpoint have returned (or thrown). */
  settle(): void {
    const work = this.#work;
    if (work !== undefined) {
      this.#work = undefined;
      void work.then(() => this.settle());
      return;
    }
    this.#endpointDone = true;
    if (this.#responseDone) void this.#runDeferred();
  }

  async #runDeferred(): Promise<void> {
    const tasks = this.#deferred!;
    this.#deferred = [];
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        this.config.logger.error({ err: error, route: this.routeName }, "A deferred task failed after the response");
      }
    }
  }

  /** Calls `done` once, when this request's response is complete or abandoned. */
  protected abstract whenDone(done: () => void): void;

  /** The request body as a stream of decoded bytes, under the same limit; for large uploads. */
  abstract bodyStream(): Readable;

  protected abstract readBody(): Promise<Uint8Array>;

  /**
   * Has `hook` see, and change, the response of this request just before it is written:
   * middleware adds headers (CORS) or compresses the body (GZip) this way. Hooks registered
   * later (by inner middleware) run first, as responses travel back out through the layers.
   */
  onSend(hook: SendHook): void {
    (this.#hooks ??= []).push(hook);
  }

  /**
   * Sets a header on this request's response, whatever sends it. A value with CR, LF or
   * another control character throws InvalidHeaderError here, where the caller can be found.
   */
  setHeader(name: string, value: string | string[]): void {
    const key = name.toLowerCase();
    if (!validHeader(key, value)) throw new InvalidHeaderError(key);
    this.onSend((outgoing) => {
      outgoing.headers[key] = value;
    });
  }

  /**
   * Sends a complete response; `content-length` is set from the body. A header that could
   * split the response throws InvalidHeaderError and nothing is written.
   */
  send(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void {
    if (this.#hooks === undefined) {
      checkHeaders(headers);
      return this.write(status, headers, body);
    }
    const streaming = this.#deliver({ status, headers: { ...headers }, body });
    // A hook made the body a stream (compression, say): nobody awaits send(), so a failure
    // while streaming is logged here.
    streaming?.catch((error: unknown) => this.config.logger.error({ err: error, route: this.routeName }, "Streaming a response failed"));
  }

  /** Sends a Fetch API Response, streaming its body. */
  sendResponse(response: Response): Promise<void> {
    // The Fetch API's Headers already refuse what checkHeaders would.
    if (this.#hooks === undefined) return this.writeResponse(response);
    const headers: OutgoingHeaders = {};
    for (const [name, value] of response.headers) if (name !== "set-cookie") headers[name] = value;
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    return this.#deliver({ status: response.status, headers, body: response.body }) ?? Promise.resolve();
  }

  // Synchronous unless the body is a stream, so a hook's error reaches the caller of send().
  #deliver(outgoing: Outgoing): Promise<void> | undefined {
    const hooks = this.#hooks!;
    const original = outgoing.body;
    try {
      for (let i = hooks.length - 1; i >= 0; i--) hooks[i]!(outgoing, this);
      checkHeaders(outgoing.headers);
    } catch (error) {
      // Nothing will read the body now: a stream's source is closed rather than left running.
      cancelStream(original);
      if (outgoing.body !== original) cancelStream(outgoing.body);
      throw error;
    }
    const { status, headers, body } = outgoing;
    if (body === null || typeof body === "string" || body instanceof Uint8Array) {
      delete headers["content-length"];
      this.write(status, headers, body);
      return undefined;
    }
    return this.writeStream(status, headers, body);
  }

  /**
   * Sends a complete response without running the send hooks: dispatch's last resort when
   * the error response itself failed, perhaps because of a hook, so that a broken hook can
   * never leave a request unanswered.
   */
  sendWithoutHooks(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void {
    this.write(status, headers, body);
  }

  /**
   * This request's background tasks: work that runs after the response has been sent (in
   * process), or is stored on the app's queue. Made on first use, so a route that adds none
   * pays nothing. See BackgroundTasks.
   *
   * @example
   * app.post("/users", { email: body(z.email()) }, async ({ email }, { tasks }) => {
   *   await tasks.add(sendWelcome, { email });
   *   return { email };
   * });
   */
  get tasks(): BackgroundTasks {
    if (this.#tasks !== undefined) return this.#tasks;
    const runner = this.config.tasks;
    if (runner === undefined) throw new Error("ctx.tasks needs an app that runs tasks: a Spry app, not a bare Dispatcher");
    return (this.#tasks = new BackgroundTasks(this, runner));
  }

  /** Drops this request's background tasks: it failed. Called by dispatch. */
  discardTasks(): void {
    this.#tasks?.discard();
  }

  /** The matched route as logs name it (`GET /items/{item_id}`), else the method and path. */
  get routeName(): string {
    return this.route === undefined ? `${this.method} ${this.path}` : `${this.route.method} ${this.route.path}`;
  }

  /** Writes a complete response, setting `content-length`. */
  protected abstract write(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void;

  /** Writes a Response as it is. */
  protected abstract writeResponse(response: Response): Promise<void>;

  /** Writes a response whose body is a stream. */
  protected abstract writeStream(status: number, headers: OutgoingHeaders, body: ReadableStream<Uint8Array>): Promise<void>;

  /** Sends `value` as JSON. */
  sendJson(status: number, value: unknown, headers?: Record<string, string>): void {
    const body = JSON.stringify(value);
    this.send(status, headers ? { ...headers, "content-type": "application/json" } : JSON_HEADERS, body);
  }
}

/** The headers of a JSON body, shared rather than built per response. */
export const JSON_HEADERS: OutgoingHeaders = { "content-type": "application/json" };

function cancelStream(body: Outgoing["body"]): void {
  if (body instanceof ReadableStream) body.cancel().catch(() => {});
}

// Query strings are decoded by fast-querystring, which leaves malformed escapes as they are;
// dispatch has already refused those with 400 (docs/reliability.md row 14).
function readQuery(search: string, maxKeys: number): QueryValues {
  if (search === "") return {};
  // Each parameter costs at least two characters ("a&"), so short strings cannot exceed the cap.
  if (search.length >= maxKeys * 2 && countParameters(search) > maxKeys) {
    throw new HTTPException(413, `Too many query parameters (limit ${maxKeys})`);
  }
  return parseQuery(search) as QueryValues;
}

function countParameters(search: string): number {
  let count = 1;
  for (let i = search.indexOf("&"); i !== -1; i = search.indexOf("&", i + 1)) count++;
  return count;
}

function parseCookieHeader(header: string | undefined): Record<string, string | undefined> {
  return header === undefined ? {} : parseCookies(header);
}
