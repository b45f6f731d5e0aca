import { parse as parseQuery } from "fast-querystring";
import { parse as parseCookies } from "cookie";
import type { Readable } from "node:stream";
import { HTTPException } from "./exceptions.ts";
import type { RequestLimits } from "./limits.ts";
import type { Logger } from "./logger.ts";

/** What the toolkit shares with every request of one app: its limits and its logger. */
export interface AppConfig {
  readonly limits: RequestLimits;
  readonly logger: Logger;
}

/** Outgoing headers as lower-case names; an array value is sent as repeated header lines. */
export type OutgoingHeaders = Record<string, string | number | string[]>;

/** The route a request matched, for logs and error reports. */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
  /** The route's own body limit, over the app's. */
  readonly bodyLimit?: number | undefined;
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

  /** Cookies from the Cookie header. */
  get cookies(): Record<string, string | undefined> {
    return (this.#cookies ??= parseCookieHeader(this.header("cookie")));
  }

  /** A header's value by lower-case name; repeated headers are joined with ", ". */
  abstract header(name: string): string | undefined;

  /** Every value of a repeated header, in order. */
  abstract headerValues(name: string): string[];

  /** Aborted when the client goes away before the response is complete, or at a deadline. */
  abstract get signal(): AbortSignal;

  /** Whether a response has been started; a second one is never sent. */
  abstract get sent(): boolean;

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
      this.whenDone(() => void this.#runDeferred());
    }
    this.#deferred.push(task);
  }

  async #runDeferred(): Promise<void> {
    const tasks = this.#deferred!;
    this.#deferred = [];
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        const route = this.route === undefined ? `${this.method} ${this.path}` : `${this.route.method} ${this.route.path}`;
        this.config.logger.error({ err: error, route }, "A deferred task failed after the response");
      }
    }
  }

  /** Calls `done` once, when this request's response is complete or abandoned. */
  protected abstract whenDone(done: () => void): void;

  /** The request body as a stream of decoded bytes, under the same limit; for large uploads. */
  abstract bodyStream(): Readable;

  protected abstract readBody(): Promise<Uint8Array>;

  /** Sends a complete response. The body must match `content-length`, which this sets. */
  abstract send(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void;

  /** Sends a Fetch API Response, streaming its body. */
  abstract sendResponse(response: Response): Promise<void>;

  /** Sends `value` as JSON. */
  sendJson(status: number, value: unknown, headers?: Record<string, string>): void {
    const body = JSON.stringify(value);
    this.send(status, headers ? { ...headers, "content-type": "application/json" } : JSON_HEADERS, body);
  }
}

const JSON_HEADERS: OutgoingHeaders = { "content-type": "application/json" };

// Query strings are decoded by fast-querystring, which leaves malformed escapes as they are;
// dispatch has already refused those with 400 (RELIABILITY row 14).
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
