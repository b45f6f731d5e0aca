// Type-level only: the typed client's methods, read from an app's route map (see RouteType in
// src/framework/router.ts). A path is offered for a method only where a route answers it.
import type { RouteType } from "../framework/router.ts";
import type { RouteInput } from "./inputs.ts";
import type { RouteResult } from "./results.ts";

/** Anything whose type carries routes: an app or a router declared by chaining. */
export interface Routed {
  readonly "~routes": object;
}

/** An app's route map: path, then method, then RouteType. */
export type RoutesOf<App extends Routed> = App["~routes"];

/** What every call may add to its inputs. */
export interface CallOptions {
  /** Aborts the call: the fetch rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Milliseconds before the call is aborted with a TimeoutError (over the client's `timeout`). */
  timeout?: number;
  /** Other fetch options for this call (credentials, cache, keepalive, ...); the inputs' own headers and body win. */
  init?: RequestInit;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "HEAD";

/** The paths that answer method `M`. */
export type PathsOf<Routes, M extends Method> = { [P in keyof Routes & string]: M extends keyof Routes[P] ? P : never }[keyof Routes & string];

// The conditional types below are not distributive (`[X] extends [...]`), on purpose: while a
// call is checked, the compiler reads them with `P` still at its constraint (every path), and a
// distributive one would then work out the inputs of every route of the app, at every call.

/** The RouteType of `M P`. */
export type RouteOf<Routes, P, M extends Method> = [P] extends [keyof Routes] ? ([M] extends [keyof Routes[P]] ? Routes[P][M] : never) : never;

/** The input object of a call: required when one of its inputs is. */
export type CallArgs<R, P extends string> = [R] extends [RouteType<infer I, unknown, unknown, unknown>]
  ? [RouteInput<I, P>] extends [infer In]
    ? {} extends In
      ? [input?: In & CallOptions]
      : [input: In & CallOptions]
    : never
  : never;

/** What a call resolves to: one Reply per status, see RouteResult. */
export type CallResult<R> = [R] extends [RouteType<unknown, infer S, infer C, infer Rs>] ? RouteResult<S, C, Rs> : never;

/** One HTTP method of the client: a path the app answers, then that route's inputs (`P` is inferred from the path alone). */
export type Call<Routes, M extends Method> = <P extends PathsOf<Routes, M>>(
  path: P,
  ...input: CallArgs<RouteOf<Routes, NoInfer<P>, M>, NoInfer<P>>
) => Promise<CallResult<RouteOf<Routes, P, M>>>;

/**
 * A typed client of an app whose route map is `Routes`. Invariant by declaration (`in out`):
 * relating two clients compares their route maps, rather than unfolding every method's types
 * to measure it.
 */
export interface Client<in out Routes> {
  get: Call<Routes, "GET">;
  post: Call<Routes, "POST">;
  put: Call<Routes, "PUT">;
  patch: Call<Routes, "PATCH">;
  delete: Call<Routes, "DELETE">;
  options: Call<Routes, "OPTIONS">;
  head: Call<Routes, "HEAD">;
}
