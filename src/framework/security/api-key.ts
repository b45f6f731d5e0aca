import type { Context } from "../context.ts";
import type { Dependency } from "../dependencies/dependency.ts";
import { scheme, type OrAnonymous, type SchemeOptions } from "./scheme.ts";

export interface APIKeyOptions<AutoError extends boolean> extends SchemeOptions<AutoError> {
  /** The header, query parameter or cookie that carries the key, as clients send it. */
  name: string;
}

type Where = "header" | "query" | "cookie";

const readers: Record<Where, (ctx: Context, name: string) => string | undefined> = {
  header: (ctx, name) => ctx.header(name.toLowerCase()),
  // A key given twice counts once, the last, as Starlette's query_params reads it.
  query: (ctx, name) => {
    const value = ctx.query[name];
    return typeof value === "string" ? value : value?.at(-1);
  },
  cookie: (ctx, name) => ctx.cookies[name],
};

function apiKey<AutoError extends boolean>(where: Where, kind: string, options: APIKeyOptions<AutoError>): Dependency<OrAnonymous<string, AutoError>> {
  const read = readers[where];
  const { name } = options;
  return scheme<string, AutoError>({
    kind,
    options,
    definition: { type: "apiKey", in: where, name },
    // Not a standard challenge, but a 401 must carry one (RFC 9110); FastAPI sends this.
    challenge: "APIKey",
    read: (ctx) => read(ctx, name) || undefined,
  });
}

/**
 * An API key in a request header: resolves to the key. Missing or empty: 401 with
 * `WWW-Authenticate: APIKey` (or `undefined` with `autoError: false`).
 *
 * @example
 * const key = APIKeyHeader({ name: "X-API-Key" });
 * app.get("/items/", { key }, ({ key }) => (keys.has(key) ? items : raise403()));
 */
export function APIKeyHeader<const AutoError extends boolean = true>(options: APIKeyOptions<AutoError>): Dependency<OrAnonymous<string, AutoError>> {
  return apiKey("header", "APIKeyHeader", options);
}

/**
 * An API key in the query string: resolves to the key. Missing or empty: 401 with
 * `WWW-Authenticate: APIKey` (or `undefined` with `autoError: false`).
 *
 * @example
 * const key = APIKeyQuery({ name: "api_key" });
 * app.get("/items/", { key }, ({ key }) => ({ key }));   // GET /items/?api_key=...
 */
export function APIKeyQuery<const AutoError extends boolean = true>(options: APIKeyOptions<AutoError>): Dependency<OrAnonymous<string, AutoError>> {
  return apiKey("query", "APIKeyQuery", options);
}

/**
 * An API key in a cookie: resolves to the key. Missing or empty: 401 with
 * `WWW-Authenticate: APIKey` (or `undefined` with `autoError: false`).
 *
 * @example
 * const session = APIKeyCookie({ name: "session", autoError: false });
 * app.get("/", { session }, ({ session }) => (session === undefined ? "welcome, guest" : "welcome back"));
 */
export function APIKeyCookie<const AutoError extends boolean = true>(options: APIKeyOptions<AutoError>): Dependency<OrAnonymous<string, AutoError>> {
  return apiKey("cookie", "APIKeyCookie", options);
}
