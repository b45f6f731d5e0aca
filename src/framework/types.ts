import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "../toolkit/context.ts";
import type { Inputs } from "./inputs/plan.ts";

/** The parameter names of a FastAPI path template: `"/a/{x}/{rest:path}"` gives `"x" | "rest"`. */
export type PathParamNames<P extends string> = P extends `${string}{${infer Param}}${infer Rest}`
  ? (Param extends `${infer Name}:${string}` ? Name : Param) | PathParamNames<Rest>
  : never;

type Simplify<T> = { [K in keyof T]: T[K] };

/**
 * What a handler receives as its first argument: every declared input, converted and
 * validated, typed by its schema's output; path parameters left undeclared are strings.
 */
export type InferInputs<P extends string, I extends Inputs> = Simplify<
  { -readonly [K in keyof I]: StandardSchemaV1.InferOutput<I[K]> } & {
    [K in Exclude<PathParamNames<P>, keyof I>]: string;
  }
>;

/**
 * The one handler signature: declared inputs, then the request's context (its AbortSignal,
 * headers, raw body, ...). A returned value is sent as JSON; a returned Response as it is.
 */
export type Handler<P extends string, I extends Inputs, R> = (inputs: InferInputs<P, I>, ctx: Context) => R | Promise<R>;
