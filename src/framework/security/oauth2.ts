import type { Dependency } from "../dependencies/dependency.ts";
import { authorization, scheme, type OrAnonymous, type SchemeOptions } from "./scheme.ts";

export interface OAuth2PasswordBearerOptions<AutoError extends boolean> extends SchemeOptions<AutoError> {
  /**
   * Where clients get a token: the route that takes `OAuth2PasswordRequestForm`. Relative
   * (`"token"`) resolves against the app's URL, as Swagger UI's Authorize dialog sends it.
   */
  tokenUrl: string;
  /** Where clients refresh a token, if anywhere. */
  refreshUrl?: string;
  /** Every scope the API knows, with its description, offered in the Authorize dialog. */
  scopes?: Record<string, string>;
}

/**
 * OAuth2's password flow, as FastAPI's OAuth2PasswordBearer: resolves to the token of
 * `Authorization: Bearer <token>`. No header, no token, or another scheme: 401 with
 * `WWW-Authenticate: Bearer` (or `undefined` with `autoError: false`). The document declares
 * the flow with its `tokenUrl` and scopes, so `/docs` can log in. Checking the token, and
 * its scopes (see `security()` and `securityScopes`), is the app's business.
 *
 * @example
 * const oauth2 = OAuth2PasswordBearer({ tokenUrl: "token", scopes: { "items:read": "Read items" } });
 * const currentUser = depends({ token: oauth2 }, ({ token }) => usersByToken.get(token) ?? raise401());
 * app.get("/users/me", { user: currentUser }, ({ user }) => user);
 */
export function OAuth2PasswordBearer<const AutoError extends boolean = true>(
  options: OAuth2PasswordBearerOptions<AutoError>,
): Dependency<OrAnonymous<string, AutoError>> {
  const password = {
    tokenUrl: options.tokenUrl,
    ...(options.refreshUrl === undefined ? {} : { refreshUrl: options.refreshUrl }),
    scopes: { ...options.scopes },
  };
  return scheme<string, AutoError>({
    kind: "OAuth2PasswordBearer",
    options,
    definition: { type: "oauth2", flows: { password } },
    challenge: "Bearer",
    // FastAPI hands on the empty token of a bare "Bearer"; an empty token is no credential,
    // so here it is a 401 like a missing header.
    read(ctx) {
      const header = authorization(ctx);
      if (header === undefined || header[1] === "" || header[0].toLowerCase() !== "bearer") return undefined;
      return header[1];
    },
  });
}
