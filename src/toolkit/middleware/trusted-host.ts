import type { Middleware } from "../middleware.ts";
import { withHandshakePolicy } from "./handshake.ts";
import { emptyResponse, textResponse } from "../response.ts";
import { parseHost, redirectTarget } from "./host.ts";

export interface TrustedHostOptions {
  /**
   * Host names this app answers for, without ports: `example.com`, or `*.example.com` for
   * any subdomain (not the bare domain); `*` for any. Compared without regard to case.
   * Default: `["*"]`.
   */
  allowedHosts?: readonly string[];
  /** Redirect `example.com` to `www.example.com` when only the latter is allowed. Default: true. */
  wwwRedirect?: boolean;
}

/**
 * Answers only requests whose Host header names one of `allowedHosts`, as Starlette's
 * TrustedHostMiddleware: others get 400 `Invalid host header` before any route runs, which
 * stops Host-header attacks on links the app builds (password-reset mails, redirects).
 * A Host that is not a well-formed name (CR or LF in it, say) is refused the same way, and so
 * is a WebSocket handshake to a host not allowed.
 *
 * @example
 * app.use(trustedHost({ allowedHosts: ["example.com", "*.example.com"] }));
 */
export function trustedHost(options: TrustedHostOptions = {}): Middleware {
  const patterns = (options.allowedHosts ?? ["*"]).map((p) => p.toLowerCase());
  for (const pattern of patterns) {
    if (pattern.slice(1).includes("*") || (pattern.startsWith("*") && pattern !== "*" && !pattern.startsWith("*."))) {
      throw new Error(`trustedHost(): ${JSON.stringify(pattern)}: a wildcard must be the whole first label, like "*.example.com"`);
    }
  }
  if (patterns.includes("*")) return (_ctx, next) => next();
  const exact = new Set(patterns.filter((p) => !p.startsWith("*")));
  const suffixes = patterns.filter((p) => p.startsWith("*.")).map((p) => p.slice(1));
  const wwwRedirect = options.wwwRedirect ?? true;
  const allowed = (name: string) => exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix));

  // WebSocket handshakes are checked the same way (as Starlette's): refused with the same answer.
  return withHandshakePolicy((request, next) => {
    const host = parseHost(request.authority);
    if (host !== undefined && allowed(host.name)) return next();
    const target = redirectTarget(request);
    if (host !== undefined && wwwRedirect && exact.has(`www.${host.name}`) && target !== undefined) {
      const port = host.port === undefined ? "" : `:${host.port}`;
      return emptyResponse(307, { location: `${request.scheme}://www.${host.name}${port}${target}` });
    }
    return textResponse(400, "Invalid host header");
  }, { runs: true });
}
