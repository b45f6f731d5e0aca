import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Inputs } from "./dependencies/dependency.ts";
import type { ServerSentEvent } from "../toolkit/streams/server-sent-events.ts";
import type { JsonReply } from "./respond.ts";
import type { Handler } from "./types.ts";

/** What a response model accepts, or anything without one. */
type ModelInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : unknown;

/** Returned as they are, whatever the model: they carry their own status and body. */
type Passthrough = JsonReply | Response;

/** What a route with model S may return: a value of it, a passthrough, or a stream of its items (docs/streaming.md). */
type Accepted<S> = ModelInput<S> | Passthrough | AsyncIterable<ModelInput<S> | ServerSentEvent>;

/**
 * A contextual type only, never inferred from (NoInfer): every field of the handler's own
 * return type R, at any depth, under a conditional on that field's type. Typing the returned
 * object against it keeps its literals (`"bearer"`, not `string`) as TypeScript keeps them for
 * a generic whose constraint may be a primitive, for handlers with parameters or without, sync
 * or async, while R is inferred from the same object; arrays stay mutable and nothing becomes
 * readonly, unlike a `const` type parameter. Replies, functions and streams are left out: their
 * own types are deep, and they have no literals to keep.
 */
type Narrow<T> = (T extends bigint | boolean | number | string ? T : never) | { [K in keyof T]: Narrow<T[K]> };
type Hint<R> = [R] extends [Function | Passthrough | AsyncIterable<unknown>] ? never : Narrow<R>;

/**
 * A handler checked against the route's response model. The route's options come after the
 * handler, so TypeScript types the handler's return before it knows the model, and would widen
 * `token_type: "bearer"` to `string`. Instead the return is inferred on its own (R, its
 * literals kept by Hint) and compared with the model once both are known; a mismatch checks
 * the handler against the model too, so the error ends with the field that is wrong ("Types
 * of property 'n' are incompatible"), sync or async, on a route with inputs or without
 * (test/types/messages.test.ts). A second type parameter inferred through a mapped type, as
 * an earlier version had, made the compiler build a reverse mapping of every route's return:
 * 1.7 times the instantiations and 6 times the memory on bench/typecheck's 500 routes.
 */
export type CheckedHandler<P extends string, I extends Inputs, S, R> = Handler<P, I, R | NoInfer<Hint<R>>> &
  ([R] extends [never] ? unknown
    // A stream (an async generator) is judged by its items.
    : [R] extends [AsyncIterable<infer Item>] ? ([Item] extends [ModelInput<S> | ServerSentEvent] ? Handler<P, I, NoInfer<Accepted<S>>> : never)
    : [R] extends [Accepted<S>] ? unknown
    : Expected<P, I, S, R>);

/**
 * What a handler whose return misses the model is checked against, to word the error: the
 * model alone unless the handler also returns a json() reply or a Response, since TypeScript
 * does not say which field is wrong once the model is one member of a wider union.
 */
type Expected<P extends string, I extends Inputs, S, R> = [Extract<R, Passthrough>] extends [never]
  ? Handler<P, I, NoInfer<ModelInput<S>>>
  : Handler<P, I, NoInfer<Accepted<S>>>;
