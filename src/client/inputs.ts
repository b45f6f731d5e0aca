// Type-level only: what a call of the typed client sends, worked out from a route's declared
// inputs exactly as the server reads them (see src/framework/inputs/plan.ts): a name in the path
// template is a path parameter, a pinned input (`header()`, `form()`, ...) keeps its place, a
// schema whose input is an object (or a list of objects) is the JSON body, anything else is a
// query parameter, and a dependency's own inputs are the request's too. Keys are the names on
// the wire (an alias, a header's hyphenated lower-case name), so the runtime only places them.
// Everything is computed lazily, for the routes a client file actually calls.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Wire } from "../framework/inputs/param.ts";
import type { PathParamNames } from "../framework/types.ts";

type Where = "path" | "query" | "header" | "cookie" | "body" | "form" | "file";

interface Entry<W extends Where, K extends string, V, E extends boolean = false> {
  readonly where: W;
  readonly key: K;
  readonly value: V;
  readonly embed: E;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Hyphens<S extends string> = S extends `${infer A}_${infer B}` ? `${A}-${Hyphens<B>}` : S;

type HeaderName<N extends string, A extends string, U extends boolean> = [A] extends [never]
  ? Lowercase<U extends false ? N : Hyphens<N>>
  : Lowercase<A>;

type WireName<N extends string, A extends string> = [A] extends [never] ? N : A;

/** What the client sends for a file: a Blob (a File is one), or a list of them. */
type FileValue<V> = V extends readonly unknown[] ? Blob[] : V extends undefined ? undefined : Blob;

type IsModel<V> = NonNullable<V> extends readonly (infer E)[] ? (NonNullable<E> extends object ? true : false) : NonNullable<V> extends object ? true : false;

// Told apart by their phantom keys ("~inputs" on a dependency, "~wire" on a pinned input)
// rather than by assignability to Dependency or Param, which would compare each schema's
// "~standard" structurally: many times cheaper per route.
type EntryOf<N extends string, D, P extends string> =
  "~inputs" extends keyof D
    ? EntriesOf<NonNullable<D["~inputs" & keyof D]>, P>
    : "~wire" extends keyof D
      ? PinnedEntry<N, NonNullable<D["~wire" & keyof D]>, StandardSchemaV1.InferInput<D & StandardSchemaV1>>
      : D extends StandardSchemaV1
        ? N extends PathParamNames<P>
          ? Entry<"path", N, StandardSchemaV1.InferInput<D>>
          : IsModel<StandardSchemaV1.InferInput<D>> extends true
            ? Entry<"body", N, StandardSchemaV1.InferInput<D>>
            : Entry<"query", N, StandardSchemaV1.InferInput<D>>
        : never;

type PinnedEntry<N extends string, X, V> =
  X extends Wire<infer W, infer A, infer U, infer E>
    ? W extends "header"
      ? Entry<"header", HeaderName<N, A, U>, V>
      : W extends "file"
        ? Entry<"file", WireName<N, A>, FileValue<V>>
        : W extends "body"
          ? Entry<"body", WireName<N, A>, V, E>
          : Entry<W, WireName<N, A>, V>
    : never;

/** Every input a route (or a dependency) declares, as entries; undeclared path parameters are strings. */
type EntriesOf<I, P extends string> = { [N in keyof I & string]: EntryOf<N, I[N], P> }[keyof I & string];

type RouteEntries<I, P extends string> =
  | EntriesOf<I, P>
  | { [N in Exclude<PathParamNames<P>, keyof I>]: Entry<"path", N, string | number> }[Exclude<PathParamNames<P>, keyof I>];

/** An object of entries by key: required where the value cannot be undefined. */
type Fields<E extends Entry<Where, string, unknown, boolean>> = Simplify<
  { [X in E as undefined extends X["value"] ? never : X["key"]]: X["value"] } & {
    [X in E as undefined extends X["value"] ? X["key"] : never]?: X["value"];
  }
>;

/** `{ name: fields }`, optional when every field is, left out when there are none. */
type Group<Name extends string, F> = [keyof F] extends [never] ? {} : {} extends F ? { [K in Name]?: F } : { [K in Name]: F };

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** A lone body input not embedded is the body itself; several are an object by name. */
type JsonBody<E extends Entry<Where, string, unknown, boolean>> = [E] extends [never]
  ? {}
  : true extends IsUnion<E> | E["embed"]
    ? Group<"body", Fields<E>>
    : undefined extends E["value"]
      ? { body?: E["value"] }
      : { body: E["value"] };

/** A form model (an object schema in `form()`) gives its fields; files and fields sit beside them. */
type FormBody<E extends Entry<Where, string, unknown, boolean>> = [E] extends [never]
  ? {}
  : Group<"form", Simplify<Fields<Exclude<E, FormModels<E>>> & ModelFields<FormModels<E>>>>;

type IsFormModel<V> = NonNullable<V> extends Blob | readonly unknown[] ? false : NonNullable<V> extends object ? true : false;

type FormModels<E> = E extends { where: "form"; value: infer V } ? (IsFormModel<V> extends true ? E : never) : never;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

type ModelFields<E> = [E] extends [never] ? {} : UnionToIntersection<E extends { value: infer V } ? NonNullable<V> : never>;

/** A value a header may be given: declared headers are typed, any other may be added. */
export type HeaderValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;

/** What one call of route `R` (inputs `I`) at path `P` takes, grouped by where each input goes. */
export type RouteInput<I, P extends string> = RouteEntries<I, P> extends infer E extends Entry<Where, string, unknown, boolean>
  ? Simplify<
      Group<"path", Fields<Extract<E, { where: "path" }>>> &
        Group<"query", Fields<Extract<E, { where: "query" }>>> &
        HeadersGroup<Fields<Extract<E, { where: "header" }>>> &
        Group<"cookies", Fields<Extract<E, { where: "cookie" }>>> &
        JsonBody<Extract<E, { where: "body" }>> &
        FormBody<Extract<E, { where: "form" | "file" }>>
    >
  : never;

type HeadersGroup<F> = [keyof F] extends [never]
  ? { headers?: Record<string, HeaderValue> }
  : {} extends F
    ? { headers?: F & Record<string, HeaderValue> }
    : { headers: F & Record<string, HeaderValue> };
