import type { Middleware } from "../middleware.ts";
import type { SpryRequest } from "../request.ts";
import { emptyResponse, textResponse } from "../response.ts";
import { parseHost, redirectTarget } from "./host.ts";

export interface HttpsRedirectOptions {
  /**
   * Believe `X-Forwarded-Proto` (its last value, the one the nearest proxy set) about how the
   * client connected. Only behind a proxy that sets it: otherwise any client could claim
   * https. Default: false, and then a TLS-terminating proxy in front makes every request
   * look like http, so leave this middleware out or set this.
   */
  trustProxy?: boolean;
}

/**
 * Redirects every http request to the same URL on https with 307 (so the method and body
 * are kept), as Starlette's HTTPSRedirectMiddleware; ports 80 and 443 are dropped, any other
 * is kept. The Location is built only from a well-formed Host and the request's own path, so
 * no request can make it point at another site or carry CR/LF; a malformed Host gets 400.
 *
 * @example
 * app.use(httpsRedirect({ trustProxy: true }));
 */
export function httpsRedirect(options: HttpsRedirectOptions = {}): Middleware {
  const trustProxy = options.trustProxy ?? false;
  return (request, next) => {
    if (scheme(request, trustProxy) === "https") return next();
    const host = parseHost(request.authority);
    if (host === undefined) return textResponse(400, "Invalid host header");
    const target = redirectTarget(request);
    if (target === undefined) return textResponse(400, "Invalid request target");
    const port = host.port === undefined || host.port === "80" || host.port === "443" ? "" : `:${host.port}`;
    return emptyResponse(307, { location: `https://${host.name}${port}${target}` });
  };
}

function scheme(request: SpryRequest, trustProxy: boolean): string {
  const forwarded = trustProxy ? request.header("x-forwarded-proto") : undefined;
  if (forwarded === undefined) return request.scheme;
  return forwarded.slice(forwarded.lastIndexOf(",") + 1).trim().toLowerCase();
}
