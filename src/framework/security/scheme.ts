import type { Context } from "../context.ts";
import { HTTPException } from "../../common/http-exception.ts";
import type { Dependency } from "../dependencies/dependency.ts";
import { depends } from "../dependencies/depends.ts";

/** What every security scheme takes. */
export interface SchemeOptions<AutoError extends boolean = true> {
  /** Its key in the OpenAPI document's `securitySchemes` (default: the scheme's own name, as FastAPI uses the class name). */
  schemeName?: string;
  /** Shown with the scheme in `/docs`. */
  description?: string;
  /**
   * Whether a request without credentials is refused with 401 (the default). With false the
   * dependency resolves to `undefined` instead, so that a route can allow anonymous access or
   * try another scheme.
   */
  autoError?: AutoError;
}

/** What a scheme resolves to: its credentials, or `undefined` as well when `autoError` is false. */
export type OrAnonymous<T, AutoError extends boolean> = AutoError extends true ? T : T | undefined;

/** FastAPI's answer to missing or bad credentials: 401, with the challenge the scheme expects. */
export function notAuthenticated(challenge: string): HTTPException {
  return new HTTPException(401, "Not authenticated", { "WWW-Authenticate": challenge });
}

export interface SchemeSpec<T> {
  /** The default scheme name, and the dependency's name in logs. */
  readonly kind: string;
  readonly options: SchemeOptions<boolean>;
  /** The Security Scheme Object, without its description. */
  readonly definition: Record<string, unknown>;
  /** The `WWW-Authenticate` value of a 401. */
  readonly challenge: string;
  /** The credentials the request carries; undefined when it carries none. Bad ones throw. */
  readonly read: (ctx: Context) => T | undefined;
}

/**
 * A security scheme as a dependency. It reads the request itself rather than declaring
 * inputs, as FastAPI's schemes do, so the Authorization header is not listed as a parameter
 * (the scheme stands for it in the document) and a missing one is a 401, never a 422.
 */
export function scheme<T, AutoError extends boolean>(spec: SchemeSpec<T>): Dependency<OrAnonymous<T, AutoError>> {
  const { options, challenge, read } = spec;
  const autoError = options.autoError ?? true;
  const name = options.schemeName ?? spec.kind;
  const definition = options.description === undefined ? spec.definition : { ...spec.definition, description: options.description };
  const dependency = depends((_: {}, ctx: Context) => {
    const credentials = read(ctx);
    if (credentials === undefined && autoError) throw notAuthenticated(challenge);
    return credentials;
  }, { name: spec.kind, security: { name, definition } });
  // What autoError lets through is known here, not to depends().
  return dependency as Dependency<OrAnonymous<T, AutoError>>;
}

/** The Authorization header split at its first space, as FastAPI splits it: `["Bearer", "abc"]`. */
export function authorization(ctx: Context): [scheme: string, credentials: string] | undefined {
  const value = ctx.header("authorization");
  if (value === undefined || value === "") return undefined;
  const space = value.indexOf(" ");
  return space === -1 ? [value, ""] : [value.slice(0, space), value.slice(space + 1)];
}
