import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "./context.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import type { Inputs } from "./dependencies/dependency.ts";

/** The parameter names of a FastAPI path template: `"/a/{x}/{rest:path}"` gives `"x" | "rest"`. */
export type PathParamNames<P extends string> = P extends `${string}{${infer Param}}${infer Rest}`
  ? (Param extends `${infer Name}:${string}` ? Name : Param) | PathParamNames<Rest>
  : never;

type Simplify<T> = { [K in keyof T]: T[K] };

/** A declared input's value: a schema's output, or what a dependency resolves to. */
export type InputValue<D> = D extends Dependency<infer T> ? T : D extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<D> : never;

/**
 * What a handler receives as its first argument: every declared input, converted and
 * validated, typed by its schema's output (or by what its dependency resolves to); path
 * parameters left undeclared are strings.
 */
export type InferInputs<P extends string, I extends Inputs> = Simplify<
  { -readonly [K in keyof I]: InputValue<I[K]> } & {
    [K in Exclude<PathParamNames<P>, keyof I>]: string;
  }
>;

/**
 * The one handler signature: declared inputs, then the request's context (its AbortSignal,
 * headers, raw body, ...). A returned value is sent as JSON; a returned Response as it is.
 */
export type Handler<P extends string, I extends Inputs, R> = (inputs: InferInputs<P, I>, ctx: Context) => R | Promise<R>;
