import type { Middleware } from "../middleware.ts";
import type { SpryRequest } from "../request.ts";
import { textResponse, type OutgoingHeaders, type SpryResponse } from "../response.ts";
import { withHandshakePolicy } from "./handshake.ts";
import { addVary, replaceHeader } from "./headers.ts";

export interface CorsOptions {
  /** Origins whose pages may read responses, as browsers send them (`https://example.com`); `["*"]` for any. Default: none. */
  allowOrigins?: readonly string[];
  /** Origins that match this pattern as a whole are allowed too: `https://.*\.example\.com`. */
  allowOriginRegex?: string | RegExp;
  /** Methods a preflight may ask for; `["*"]` for all. Default: `["GET"]`. */
  allowMethods?: readonly string[];
  /** Request headers a preflight may ask for, besides the CORS-safelisted ones; `["*"]` for any. Default: none. */
  allowHeaders?: readonly string[];
  /** Whether pages may send cookies and read the answers (`Access-Control-Allow-Credentials`). Default: false. */
  allowCredentials?: boolean;
  /** Response headers pages may read, besides the safelisted ones. Default: none. */
  exposeHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight's answer. Default: 600. */
  maxAge?: number;
}

const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
const SAFELISTED_HEADERS = ["accept", "accept-language", "content-language", "content-type"];

/**
 * Cross-Origin Resource Sharing, as Starlette's CORSMiddleware: a preflight (OPTIONS with
 * `Origin` and `Access-Control-Request-Method`) is answered here, 200 with the allow headers
 * or 400 `Disallowed CORS origin, method, headers`; any other request from an allowed origin
 * gets `Access-Control-Allow-Origin` (and `Vary: Origin` unless it is `*`) on its response,
 * errors included. Nothing is allowed unless listed: with no options, no origin is.
 *
 * With `allowCredentials`, `*` is never sent and an origin is echoed only when it is listed
 * or matches the pattern; `Origin: null` (sandboxed frames, `file:` pages) never is. So
 * `allowOrigins: ["*"]` or `["null"]` together with `allowCredentials` throws here, where
 * Starlette would echo every origin.
 *
 * WebSocket routes that keep the default `origins: "same-origin"` also take handshakes from
 * the origins listed here or matching the pattern (not from `*`).
 *
 * @example
 * app.use(cors({
 *   allowOrigins: ["https://app.example.com"],
 *   allowMethods: ["GET", "POST"],
 *   allowHeaders: ["authorization"],
 *   allowCredentials: true,
 * }));
 */
export function cors(options: CorsOptions = {}): Middleware {
  const origins = new Set(options.allowOrigins);
  const anyOrigin = origins.has("*");
  const credentials = options.allowCredentials ?? false;
  if (credentials && (anyOrigin || origins.has("null"))) {
    throw new Error(`cors(): allowOrigins ${anyOrigin ? '"*"' : '"null"'} with allowCredentials would let any page read answers with its user's cookies; list the origins instead`);
  }
  const pattern = wholeMatch(options.allowOriginRegex);
  const methods = options.allowMethods?.includes("*") ? ALL_METHODS : (options.allowMethods ?? ["GET"]).map((m) => m.toUpperCase());
  const anyHeader = options.allowHeaders?.includes("*") ?? false;
  const allowHeaders = [...new Set([...SAFELISTED_HEADERS, ...(options.allowHeaders ?? []).map((h) => h.toLowerCase())])].sort();
  const expose = options.exposeHeaders?.join(", ");
  const maxAge = String(options.maxAge ?? 600);

  const allowed = (origin: string): boolean => {
    if (anyOrigin) return true;
    if (credentials && origin === "null") return false;
    return origins.has(origin) || (pattern?.test(origin) ?? false);
  };

  const preflight = (request: SpryRequest, origin: string, method: string): SpryResponse => {
    const headers: OutgoingHeaders = {};
    const failures: string[] = [];
    if (!allowed(origin)) failures.push("origin");
    else headers["access-control-allow-origin"] = anyOrigin ? "*" : origin;
    if (!anyOrigin) headers.vary = "Origin";
    if (!methods.includes(method)) failures.push("method");
    headers["access-control-allow-methods"] = methods.join(", ");
    headers["access-control-max-age"] = maxAge;
    const requested = request.header("access-control-request-headers");
    if (anyHeader) {
      if (requested !== undefined) headers["access-control-allow-headers"] = requested;
    } else {
      headers["access-control-allow-headers"] = allowHeaders.join(", ");
      if (requested !== undefined && !requested.split(",").every((h) => h.trim() === "" || allowHeaders.includes(h.trim().toLowerCase()))) {
        failures.push("headers");
      }
    }
    if (credentials) headers["access-control-allow-credentials"] = "true";
    return failures.length === 0 ? textResponse(200, "OK", headers) : textResponse(400, `Disallowed CORS ${failures.join(", ")}`, headers);
  };

  // Browsers ask no CORS question for a WebSocket, but the origins listed here are pages the
  // app trusts: they may open its sockets too. `*` does not extend that: a cross-site socket
  // carries the user's cookies, which `*` never lets a page use.
  const handshake = { allowsOrigin: (origin: string) => !anyOrigin && allowed(origin) };
  return withHandshakePolicy(async (request, next) => {
    const origin = request.header("origin");
    if (origin === undefined) {
      const res = await next();
      // The answer would differ for a request with an Origin, so caches must keep them apart.
      if (!anyOrigin) addVary(res.headers, "Origin");
      return res;
    }
    const method = request.header("access-control-request-method");
    if (request.method === "OPTIONS" && method !== undefined) return preflight(request, origin, method);
    // As Starlette: `*` cannot be used by a request carrying cookies, so the origin is echoed.
    const echoed = allowed(origin) ? (anyOrigin && request.header("cookie") === undefined ? "*" : origin) : undefined;
    const res = await next();
    if (echoed !== undefined) {
      replaceHeader(res.headers, "access-control-allow-origin", echoed);
      if (credentials) replaceHeader(res.headers, "access-control-allow-credentials", "true");
      if (expose !== undefined && expose !== "") replaceHeader(res.headers, "access-control-expose-headers", expose);
    }
    if (!anyOrigin || echoed !== "*") addVary(res.headers, "Origin");
    return res;
  }, handshake);
}

// As Python's re.fullmatch: the pattern must match the whole origin, so that
// `https://.*\.example\.com` does not allow `https://a.example.com.evil.net`.
function wholeMatch(pattern: string | RegExp | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  const source = typeof pattern === "string" ? pattern : pattern.source;
  const flags = typeof pattern === "string" ? "" : pattern.flags.replace(/[gy]/g, "");
  return new RegExp(`^(?:${source})$`, flags);
}
