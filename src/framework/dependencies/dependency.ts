import type { Context } from "../context.ts";
import type { StandardSchemaV1 } from "@standard-schema/spec";

/** Where a dependency keeps its DependencyInfo. */
export const kDependency: unique symbol = Symbol.for("spry.dependency");

// Inputs and Dependency refer to each other (a dependency declares inputs, and an input may be a
// dependency), so both are declared here.
/** A route's or a dependency's declared inputs: argument name to schema, or to a dependency. */
export type Inputs = Record<string, StandardSchemaV1 | Dependency<any>>;

/**
 * When a dependency's teardown (the code after its `yield`) runs:
 * - "request" (the default): after the response has been sent, so the resource stays usable
 *   while the response streams; a teardown error is logged, it cannot change the response.
 * - "function": as soon as the handler returns or throws, before the response is sent, so a
 *   teardown error (a failed commit, say) can still become the response.
 */
export type Scope = "request" | "function";

export interface DependencyOptions {
  scope?: Scope;
  /** For logs; defaults to the function's name. */
  name?: string;
  /**
   * For a dependency that checks credentials: the OpenAPI security scheme it implements. The
   * document lists it in `components.securitySchemes` and in the `security` of every operation
   * whose dependency graph holds it. spry's own schemes (`HTTPBearer()`, ...) set it.
   */
  security?: SecurityScheme;
}

/** An OpenAPI security scheme, as a dependency that checks credentials declares it. */
export interface SecurityScheme {
  /** Its key in `components.securitySchemes`. */
  readonly name: string;
  /** The Security Scheme Object: `{ type: "http", scheme: "bearer" }`, ... */
  readonly definition: Readonly<Record<string, unknown>>;
}

export type DependencyFn = (inputs: any, ctx: Context) => unknown;

export interface DependencyInfo {
  readonly inputs: Inputs;
  readonly fn: DependencyFn;
  readonly scope: Scope;
  readonly name: string;
  /** Whether this use shares the request's one result of `original`. */
  readonly cache: boolean;
  /** The dependency this one is a use of: the identity for caching and overrides. */
  readonly original: Dependency<unknown>;
  /** The OpenAPI security scheme it implements (DependencyOptions.security), gathered by the document. */
  readonly security?: SecurityScheme | undefined;
  /** The scopes this use requires (`security(dependency, { scopes })`), added to those above it. */
  readonly scopes?: readonly string[] | undefined;
  /** Set on `securityScopes`: its value, made once per route from the scopes required above it. */
  readonly fromScopes?: ((scopes: readonly string[]) => unknown) | undefined;
}

/** A dependency whose value, once resolved for a request, is of type T; I are its declared inputs. */
export interface Dependency<T, I = {}> {
  readonly [kDependency]: DependencyInfo;
  /** Carries T for type inference only; never set. */
  readonly "~resolves"?: T;
  /** Carries I for the typed client (its inputs are the request's too); never set. */
  readonly "~inputs"?: I;
}

/** What a dependency function's result resolves to: a generator's first yield, a promise's value. */
export type Resolved<R> = R extends AsyncGenerator<infer Y, unknown, unknown>
  ? Y
  : R extends Generator<infer Y, unknown, unknown>
    ? Y
    : Awaited<R>;

/**
 * A use of a dependency that runs it again instead of sharing the request's one result
 * (FastAPI's `use_cache=False`).
 *
 * @example
 * app.get("/two", { a: random, b: uncached(random) }, ({ a, b }) => a !== b);
 */
export function uncached<T, I>(dependency: Dependency<T, I>): Dependency<T, I> {
  return useOf(dependency, { cache: false });
}

/** Another use of the same dependency (same identity for caching and overrides), with `changes`. */
export function useOf<T, I>(dependency: Dependency<T, I>, changes: Partial<Omit<DependencyInfo, "original">>): Dependency<T, I> {
  return { [kDependency]: { ...dependency[kDependency], ...changes } };
}

/** The dependency behind an input's declaration, if it is one. */
export function dependencyInfo(value: unknown): DependencyInfo | undefined {
  return (value as Partial<Dependency<unknown>> | null)?.[kDependency];
}
