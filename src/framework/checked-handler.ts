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
 * The handler's return type as inferred, with its literals kept (`"bearer"`, not `string`),
 * but arrays left mutable and nothing made readonly, unlike a `const` type parameter. It keeps
 * the literals of a handler without parameters, which TypeScript types before anything else.
 */
type Narrow<T> =
  | (unknown extends T ? unknown : never)
  | (T extends Function | Passthrough | AsyncIterable<unknown> ? T : never)
  | (T extends bigint | boolean | number | string ? T : never)
  | (T extends [] ? [] : never)
  | { [K in keyof T]: Narrow<T[K]> };

/**
 * A return type whose literals are kept because the type parameter is constrained to
 * primitives and objects: this keeps them for handlers with parameters and for unions of
 * returns (`found ?? json(..., { status: 404 })`), where Narrow picks one member.
 */
export type Returned = string | number | boolean | bigint | symbol | null | undefined | object | { readonly [key: string]: Returned } | readonly Returned[];

/**
 * A handler checked against the route's response model. The route's options come after the
 * handler, so TypeScript types the handler's return before it knows the model, and would widen
 * `token_type: "bearer"` to `string`. Instead the return is inferred on its own, twice (R with
 * literals kept by its constraint, R2 by Narrow), and compared with the model once both are
 * known: either one matching is accepted; a mismatch checks the handler against the model
 * too, so the error ends with the field that is wrong ("Types of property 'n' are
 * incompatible"), on a route with inputs or without.
 */
export type CheckedHandler<P extends string, I extends Inputs, S, R, R2> = (Handler<P, I, R> | Handler<P, I, Narrow<R2>>) & ([R] extends [AsyncIterable<unknown>] ? Handler<P, I, NoInfer<Accepted<S>>> : unknown) &
  // A stream (an async generator) is judged by its items.
  ([R] extends [never] ? unknown
    : [R] extends [AsyncIterable<infer Item>] ? ([Item] extends [ModelInput<S> | ServerSentEvent] ? unknown : never)
    : [R] extends [Accepted<S>] ? unknown
    // Narrow maps an async generator's members loosely: streams are judged by R alone.
    : [R2] extends [ModelInput<S> | Passthrough] ? unknown
    : Handler<P, I, NoInfer<Accepted<S>>>);
