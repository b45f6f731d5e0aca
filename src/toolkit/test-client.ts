import { inject } from "light-my-request";
import type { Servable } from "./servable.ts";
import { statusHasNoBody } from "../common/status.ts";
import { memoryAccept, TestWebSocket } from "./websocket/memory.ts";

export { TestWebSocket } from "./websocket/memory.ts";
import { encodeBody, type BodyOptions } from "./test-body.ts";
import { CookieJar } from "./test-cookies.ts";

export type { BodyInit, FileInit, FormValue } from "./test-body.ts";
export type { CookieJar } from "./test-cookies.ts";

/** Which of an app's two entry points a TestClient drives. */
export type Transport = "node" | "fetch";

/** Anything a TestClient can drive: a Servable with a Fetch entry point (a Spry app, a ToolkitApp). */
export type Testable = Servable & { readonly fetch: (request: Request) => Promise<Response> };

/** A WebSocket handshake that the app answered with an HTTP response instead (404, 403, 401...). */
export class WebSocketDenied extends Error {
  readonly response: Response;
  constructor(response: Response) {
    super(`The WebSocket handshake was refused with ${response.status}`);
    this.name = "WebSocketDenied";
    this.response = response;
  }
}

export interface WebSocketOptions {
  query?: QueryInit;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  /** Offered as Sec-WebSocket-Protocol, in order. */
  subprotocols?: string[];
}

export type QueryInit = Record<string, string | number | boolean | readonly (string | number | boolean)[] | undefined>;

export interface RequestOptions extends BodyOptions {
  /** Added to the path's own query string; an array repeats the key. */
  query?: QueryInit;
  headers?: Record<string, string>;
  /** Sent in the `cookie` header, with (and over) the cookies the client keeps. */
  cookies?: Record<string, string>;
  /** Follow redirects for this request (the client's `followRedirects` otherwise). */
  followRedirects?: boolean;
}

export interface TestClientOptions {
  transport?: Transport;
  /**
   * Follow 301, 302, 303, 307 and 308 answers to their Location, as a browser does (off by
   * default, so a test sees the 307 itself); 303, and 301/302 after a POST, become a GET.
   */
  followRedirects?: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Redirects a followed request may take before the client gives up, as browsers do. */
const MAX_REDIRECTS = 20;

/**
 * In-process requests without a socket, like FastAPI's TestClient or Fastify's inject().
 * `transport: "node"` runs the native node:http path (on light-my-request's simulated
 * request and response), `"fetch"` the Fetch API path; either way the answer is a standard
 * Response. Bodies go as JSON (`json`), forms (`form`, with `files` as multipart) or as they
 * are (`body`: text, bytes, a Blob, URLSearchParams, FormData). Cookies the app sets are kept
 * and sent back, as a browser does (`client.cookies`); redirects are followed only when asked
 * (`followRedirects`), so a test sees the 307 itself by default. An app with a lifespan is
 * started by `TestClient.open(app)`.
 *
 * @example
 * const client = new TestClient(app);
 * const res = await client.get("/slow_task/1", { query: { q: "test" } });
 * assert.equal(res.status, 200);
 * assert.deepEqual(await res.json(), { item_id: 1, q: "test" });
 */
export class TestClient {
  readonly app: Testable;
  readonly transport: Transport;
  readonly followRedirects: boolean;
  /** The cookies the app has set, sent back with later requests, as a browser does. */
  readonly cookies = new CookieJar();

  constructor(app: Testable, options: TestClientOptions = {}) {
    this.app = app;
    this.transport = options.transport ?? "node";
    this.followRedirects = options.followRedirects ?? false;
  }

  /**
   * A client whose app has started: its lifespan and startup hooks have run, as FastAPI's
   * `with TestClient(app)` does. Close it (or `await using` it) to run shutdown.
   *
   * @example
   * await using client = await TestClient.open(app);
   */
  static async open(app: Testable, options: TestClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(app, options);
    await app.startup?.();
    return client;
  }

  /** Runs the app's shutdown. */
  async close(): Promise<void> {
    await this.app.shutdown?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  get(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("GET", path, options);
  }
  head(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("HEAD", path, options);
  }
  post(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("POST", path, options);
  }
  put(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("PUT", path, options);
  }
  patch(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("PATCH", path, options);
  }
  delete(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("DELETE", path, options);
  }
  options(path: string, options?: RequestOptions): Promise<Response> {
    return this.request("OPTIONS", path, options);
  }

  /**
   * Opens a WebSocket to the app in process, through the same routing, inputs and dependencies
   * as over a socket. Resolves once the handler accepts; rejects with WebSocketDenied if the
   * handshake is refused with an HTTP response.
   *
   * @example
   * const ws = await client.websocket("/ws/lobby", { query: { token: "t" } });
   * await ws.send("hi");
   * assert.equal(await ws.receiveText(), "lobby: hi");
   * await ws.close();
   */
  async websocket(path: string, options: WebSocketOptions = {}): Promise<TestWebSocket> {
    const handle = this.app.handleWebSocket;
    if (handle === undefined) throw new TypeError("This app takes no WebSockets: TestClient.websocket needs a Spry app");
    const headers: Record<string, string> = {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...options.headers,
    };
    if (options.subprotocols !== undefined) headers["sec-websocket-protocol"] = options.subprotocols.join(", ");
    // The cookies the client keeps go with the handshake too, as a browser's do.
    const cookies = { ...this.cookies.forPath(path), ...options.cookies };
    if (Object.keys(cookies).length > 0) {
      headers.cookie = Object.entries(cookies).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
    }
    const request = new Request(`http://testserver${withQuery(path, options.query)}`, { headers });
    const client = new TestWebSocket();
    let accepted!: () => void;
    const opened = new Promise<"accepted">((resolve) => (accepted = () => resolve("accepted")));
    const session = handle.call(this.app, request, () => memoryAccept(client, accepted));
    const first = await Promise.race([opened, session]);
    if (first === "accepted") return client;
    throw new WebSocketDenied(first ?? new Response(null, { status: 500 }));
  }

  /**
   * Sends a ready-made Request through this client's transport (its origin is ignored), so
   * that the typed client can run in process: `client<App>(testClient)` (spry/client). The
   * client's cookies go with it and the ones the app sets are kept, as a browser's fetch()
   * does on its own origin; a cookie the request names itself wins.
   */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const target = url.pathname + url.search;
    const cookie = withJarCookies(request.headers.get("cookie"), this.cookies.forPath(target));
    let res: Response;
    if (this.transport === "fetch") {
      if (cookie !== null) {
        const headers = new Headers(request.headers);
        headers.set("cookie", cookie);
        request = new Request(request, { headers });
      }
      res = await this.app.fetch(request);
    } else {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => (headers[name] = value));
      if (cookie !== null) headers.cookie = cookie;
      const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
      res = await this.#inject(request.method, target, headers, body, request.signal);
    }
    this.cookies.store(res.headers.getSetCookie(), target);
    return res;
  }

  /** Sends one request (and, when asked, follows its redirects); the answer is a standard Response. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const encoded = await encodeBody(options);
    const headers: Record<string, string> = { ...options.headers };
    if (encoded.contentType !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] = encoded.contentType;
    }
    let url = withQuery(path, options.query);
    let body = encoded.bytes;
    const follow = options.followRedirects ?? this.followRedirects;
    for (let hops = 0; ; hops++) {
      const res = await this.#send(method, url, headers, options.cookies, body);
      const location = res.headers.get("location");
      if (!follow || location === null || !REDIRECTS.has(res.status)) return res;
      if (hops === MAX_REDIRECTS) throw new Error(`${method} ${path}: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, `http://testserver${url}`);
      // Another host is another server, which an in-process client cannot reach: stop there.
      if (next.host !== "testserver") return res;
      url = next.pathname + next.search;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
        for (const name of Object.keys(headers)) if (name.toLowerCase() === "content-type") delete headers[name];
      }
    }
  }

  async #send(method: string, url: string, given: Record<string, string>, cookies: Record<string, string> | undefined, body: Uint8Array | undefined): Promise<Response> {
    const headers = { ...given };
    const sent = { ...this.cookies.forPath(url), ...cookies };
    if (Object.keys(sent).length > 0) {
      headers.cookie = Object.entries(sent).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
    }
    const res = this.transport === "fetch"
      ? await this.app.fetch(new Request(`http://testserver${url}`, { method, headers: { host: "testserver", ...headers }, body: (body ?? null) as BodyInit | null }))
      : await this.#inject(method, url, headers, body);
    this.cookies.store(res.headers.getSetCookie(), url);
    return res;
  }

  async #inject(method: string, url: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal?: AbortSignal): Promise<Response> {
    const res = await inject(this.app.handleNode, {
      method: method as "GET",
      url,
      headers: { host: "testserver", ...headers },
      ...(signal === undefined ? {} : { signal }),
      ...(body === undefined ? {} : { payload: Buffer.from(body) }),
    });
    const list: [string, string][] = [];
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) list.push([name, v]);
      else if (value !== undefined) list.push([name, String(value)]);
    }
    const noBody = statusHasNoBody(res.statusCode) || method === "HEAD";
    return new Response(noBody ? null : (res.rawPayload as unknown as BodyInit), { status: res.statusCode, statusText: res.statusMessage, headers: list });
  }
}

/** A request's Cookie header with the jar's cookies added, those it names itself left as they are; null when there are none. */
function withJarCookies(own: string | null, jar: Record<string, string>): string | null {
  const named = new Set((own ?? "").split(";").map((pair) => pair.split("=")[0]!.trim()));
  const added = Object.entries(jar).filter(([name]) => !named.has(name)).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  if (added.length === 0) return own;
  return own === null || own.trim() === "" ? added.join("; ") : `${own}; ${added.join("; ")}`;
}

function withQuery(path: string, query: QueryInit | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const search = params.toString();
  if (search === "") return path;
  return path.includes("?") ? `${path}&${search}` : `${path}?${search}`;
}
