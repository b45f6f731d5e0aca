import type { Context, OutgoingHeaders } from "../context.ts";
import type { Middleware } from "../middleware.ts";
import { parseHost, redirectTarget, requestHost, requestScheme } from "./host.ts";

export interface HttpsRedirectOptions {
  /**
   * Believe `X-Forwarded-Proto` (its last value, the one the nearest proxy set) about how the
   * client connected. Only behind a proxy that sets it: otherwise any client could claim
   * https. Default: false, and then a TLS-terminating proxy in front makes every request
   * look like http, so leave this middleware out or set this.
   */
  trustProxy?: boolean;
}

const TEXT: OutgoingHeaders = { "content-type": "text/plain; charset=utf-8" };

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
  return (ctx, next) => {
    if (scheme(ctx, trustProxy) === "https") return next();
    const host = parseHost(requestHost(ctx));
    if (host === undefined) return ctx.send(400, TEXT, "Invalid host header");
    const target = redirectTarget(ctx);
    if (target === undefined) return ctx.send(400, TEXT, "Invalid request target");
    const port = host.port === undefined || host.port === "80" || host.port === "443" ? "" : `:${host.port}`;
    ctx.send(307, { location: `https://${host.name}${port}${target}` }, null);
  };
}

function scheme(ctx: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? ctx.header("x-forwarded-proto") : undefined;
  if (forwarded === undefined) return requestScheme(ctx);
  return forwarded.slice(forwarded.lastIndexOf(",") + 1).trim().toLowerCase();
}
