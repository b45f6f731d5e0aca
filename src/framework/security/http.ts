import type { Dependency } from "../dependencies/dependency.ts";
import { authorization, notAuthenticated, scheme, type OrAnonymous, type SchemeOptions } from "./scheme.ts";

/** What `HTTPBasic()` resolves to. */
export interface HTTPBasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** What `HTTPBearer()` resolves to: the Authorization header split at its first space. */
export interface HTTPAuthorizationCredentials {
  /** As sent: `Bearer`, `bearer`, ... */
  readonly scheme: string;
  readonly credentials: string;
}

export interface HTTPBasicOptions<AutoError extends boolean> extends SchemeOptions<AutoError> {
  /** Sent in the challenge, `WWW-Authenticate: Basic realm="..."`: browsers show it in their login prompt. */
  realm?: string;
}

export interface HTTPBearerOptions<AutoError extends boolean> extends SchemeOptions<AutoError> {
  /** A hint for clients, such as "JWT"; documentation only. */
  bearerFormat?: string;
}

// Standard base64 with its padding, which Python's b64decode insists on too.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * HTTP Basic authentication: the username and password from `Authorization: Basic
 * base64(username:password)`. No header, or another scheme: 401 with `WWW-Authenticate: Basic`
 * (or `undefined` with `autoError: false`). A Basic header that is not base64 of ASCII text
 * holding a colon is refused with the same 401 whatever `autoError` says, as FastAPI does:
 * the client tried, and failed. Compare the password in constant time (`timingSafeEqual`).
 *
 * @example
 * const basic = HTTPBasic({ realm: "admin" });
 * app.get("/users/me", { credentials: basic }, ({ credentials }) => ({ username: credentials.username }));
 */
export function HTTPBasic<const AutoError extends boolean = true>(
  options: HTTPBasicOptions<AutoError> = {},
): Dependency<OrAnonymous<HTTPBasicCredentials, AutoError>> {
  const challenge = options.realm === undefined ? "Basic" : `Basic realm=${quoted(options.realm)}`;
  return scheme({
    kind: "HTTPBasic",
    options,
    definition: { type: "http", scheme: "basic" },
    challenge,
    read(ctx) {
      const header = authorization(ctx);
      if (header === undefined || header[0].toLowerCase() !== "basic") return undefined;
      const credentials = decodeBasic(header[1]);
      if (credentials === undefined) throw notAuthenticated(challenge);
      return credentials;
    },
  });
}

/**
 * HTTP Bearer authentication: the scheme and token of `Authorization: Bearer <token>`. No
 * header, no token, or another scheme: 401 with `WWW-Authenticate: Bearer` (or `undefined`
 * with `autoError: false`). Checking the token is the route's business.
 *
 * @example
 * const bearer = HTTPBearer({ bearerFormat: "JWT" });
 * app.get("/users/me", { auth: bearer }, ({ auth }) => ({ token: auth.credentials }));
 */
export function HTTPBearer<const AutoError extends boolean = true>(
  options: HTTPBearerOptions<AutoError> = {},
): Dependency<OrAnonymous<HTTPAuthorizationCredentials, AutoError>> {
  const definition = { type: "http", scheme: "bearer", ...(options.bearerFormat === undefined ? {} : { bearerFormat: options.bearerFormat }) };
  return scheme({
    kind: "HTTPBearer",
    options,
    definition,
    challenge: "Bearer",
    read(ctx) {
      const header = authorization(ctx);
      if (header === undefined || header[1] === "" || header[0].toLowerCase() !== "bearer") return undefined;
      return { scheme: header[0], credentials: header[1] };
    },
  });
}

function decodeBasic(encoded: string): HTTPBasicCredentials | undefined {
  if (!BASE64.test(encoded)) return undefined;
  const text = Buffer.from(encoded, "base64").toString("latin1");
  // FastAPI decodes the pair as ASCII and refuses anything else.
  if (!/^[\x00-\x7f]*$/.test(text)) return undefined;
  const colon = text.indexOf(":");
  if (colon === -1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

// A quoted-string (RFC 9110): a realm holding a quote or a backslash still makes a valid header.
function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}
