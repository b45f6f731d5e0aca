import { dependencyInfo, useOf, type Dependency } from "../dependencies/dependency.ts";
import { depends } from "../dependencies/depends.ts";

/** The scopes required of a dependency, FastAPI's SecurityScopes: see `securityScopes`. */
export interface SecurityScopes {
  /** Every scope required by the uses above, in order, each once. */
  readonly scopes: readonly string[];
  /** The same, space-separated, as a `WWW-Authenticate: Bearer scope="..."` challenge wants them. */
  readonly scopeStr: string;
}

export interface SecurityOptions {
  /** Scopes this use requires, on top of those required above it. */
  scopes?: readonly string[];
}

/**
 * A use of a dependency that requires scopes, FastAPI's `Security(dependency, scopes=[...])`.
 * Scopes add up along the chain: a dependency below this use (and it) receives them all
 * through `securityScopes`, and each security scheme below it lists them in the operation's
 * OpenAPI `security`. Works wherever a dependency does: among inputs, and in `dependencies`.
 *
 * @example
 * app.get("/items/", { user: security(currentUser, { scopes: ["items:read"] }) }, ({ user }) => itemsOf(user));
 */
export function security<T, I>(dependency: Dependency<T, I>, options: SecurityOptions = {}): Dependency<T, I> {
  const own = dependencyInfo(dependency)?.scopes ?? [];
  return useOf(dependency, { scopes: [...own, ...(options.scopes ?? [])] });
}

// Never returned: the graph sets each use's value from its scopes (see fromScopes).
const NONE: SecurityScopes = { scopes: [], scopeStr: "" };

/**
 * An input that receives the scopes required of the dependency declaring it: those of its own
 * use and of every use above it (see `security()`). Fixed per route when the route is
 * declared; a dependency used with different scopes in one route runs once per scope set.
 *
 * @example
 * const currentUser = depends({ required: securityScopes, token: oauth2 }, ({ required, token }) => {
 *   const user = usersByToken.get(token);
 *   if (user === undefined || !required.scopes.every((s) => user.scopes.includes(s))) {
 *     throw new HTTPException(401, "Not enough permissions", { "WWW-Authenticate": `Bearer scope="${required.scopeStr}"` });
 *   }
 *   return user;
 * });
 */
export const securityScopes: Dependency<SecurityScopes> = useOf(depends(() => NONE, { name: "securityScopes" }), {
  fromScopes: (scopes) => Object.freeze({ scopes: Object.freeze([...scopes]), scopeStr: scopes.join(" ") }),
});
