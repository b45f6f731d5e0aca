/**
 * spry/client: a typed client of a spry app, from the app's type alone (no generated code). It
 * imports nothing from the server at runtime: the app comes in as a type (`import type`), so a
 * browser bundle holds only this folder. See docs/client.md.
 *
 * @example
 * import { client } from "spry/client";
 * import type { App } from "./main.ts";
 * const api = client<App>("http://127.0.0.1:8000");
 * const res = await api.get("/items/{item_id}", { path: { item_id: 1 }, query: { q: "x" } });
 * if (res.status === 200) console.log(res.data.name);
 */
import { buildRequest, type Defaults, type WireInput } from "./request.ts";
import type { Client, Routed, RoutesOf } from "./types.ts";

export type { Client, Call, CallArgs, CallOptions, CallResult, PathsOf, RouteOf, Routed, RoutesOf } from "./types.ts";
export type { RouteInput, HeaderValue } from "./inputs.ts";
export type { Reply, RouteResult, ErrorStatus, HTTPValidationError, ValidationErrorDetail } from "./results.ts";

/** Anything that answers a Request in process: a spry app (`app.fetch`), a TestClient. */
export interface FetchTarget {
  fetch(request: Request): Promise<Response>;
}

export interface ClientOptions {
  /** Headers sent with every call (an API key, say); a call's own headers replace them by name. */
  headers?: Record<string, string>;
  /** Milliseconds before every call is aborted with a TimeoutError, unless the call sets its own. */
  timeout?: number;
  /** Fetch options for every call (credentials, mode, cache, ...). */
  init?: RequestInit;
  /** The fetch that sends each Request (default: the global fetch); for a proxy, retries, tracing. */
  fetch?: (request: Request) => Promise<Response>;
}

/** Where an in-process target's requests claim to be sent, as FastAPI's TestClient does. */
const IN_PROCESS = "http://testserver";

/**
 * A typed client of `App`: each HTTP method takes a path the app declares (with its `{params}`)
 * and the route's inputs grouped by where they go (`path`, `query`, `headers`, `cookies`, `body`
 * or `form`), and resolves to `{ ok, status, data, response }`, typed per status. Error statuses
 * are values, never thrown; a call throws only when it cannot be made or read (a network error,
 * an abort or a timeout, an input that cannot go on the wire, a JSON response that is not JSON).
 *
 * `target` is a base URL, or an app (or TestClient) called in process without a socket.
 *
 * @example
 * const api = client<App>("http://127.0.0.1:8000", { timeout: 5_000 });
 * const tested = client(app); // the same types, in process
 */
export function client<App extends Routed>(target: App & FetchTarget, options?: ClientOptions): Client<RoutesOf<App>>;
export function client<App extends Routed>(target: string | URL | FetchTarget, options?: ClientOptions): Client<RoutesOf<App>>;
// The implementation returns `object`: relating it to the overloads' Client<RoutesOf<App>> for
// an App not yet known would unfold the route types with nothing to stop them.
export function client(target: string | URL | FetchTarget, options: ClientOptions = {}): object {
  const inProcess = typeof target === "object" && !(target instanceof URL);
  const base = inProcess ? IN_PROCESS : String(target).replace(/\/+$/, "");
  if (!inProcess && !/^https?:\/\//i.test(base)) {
    throw new TypeError(`client(): the base URL must start with http:// or https://, got ${JSON.stringify(String(target))}`);
  }
  const send = inProcess ? (request: Request) => target.fetch(request) : (options.fetch ?? ((request: Request) => fetch(request)));
  const defaults: Defaults = { headers: options.headers, timeout: options.timeout, init: options.init };
  const call = (method: string) => async (path: string, input: WireInput = {}) => {
    const request = buildRequest(base, method, path, input, defaults);
    return read(method, await abortable(send(request), request.signal));
  };
  return {
    get: call("GET"),
    post: call("POST"),
    put: call("PUT"),
    patch: call("PATCH"),
    delete: call("DELETE"),
    options: call("OPTIONS"),
    head: call("HEAD"),
  };
}

/**
 * The fetch's answer, or the signal's reason as soon as it aborts: an in-process target (an app
 * answering the abort with its own response) or a custom fetch may not reject by itself.
 */
function abortable(response: Promise<Response>, signal: AbortSignal): Promise<Response> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    response.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

async function read(method: string, response: Response): Promise<{ ok: boolean; status: number; data: unknown; response: Response }> {
  const reply = { ok: response.ok, status: response.status, response };
  if (method === "HEAD" || response.status === 204 || response.status === 304 || response.body === null) {
    return { ...reply, data: undefined };
  }
  const text = await response.text();
  if (!/[/+]json\b/i.test(response.headers.get("content-type") ?? "")) return { ...reply, data: text };
  if (text === "") return { ...reply, data: undefined };
  try {
    return { ...reply, data: JSON.parse(text) };
  } catch (cause) {
    throw new TypeError(`${method} ${response.url || "(in process)"}: the ${response.status} response says JSON but is not`, { cause });
  }
}
