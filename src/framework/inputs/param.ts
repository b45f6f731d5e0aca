import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { UploadFile } from "../body/fields.ts";
import { uploadSchema } from "../body/upload-schema.ts";

/** Where a declared input is read from. */
export type Location = "path" | "query" | "header" | "cookie" | "body";

/** How a body input is carried: in a JSON body, or as a form field or an uploaded file. */
export type BodyKind = "json" | "form" | "file";

export interface ParamOptions {
  /** The name on the wire, when it differs from the handler's name for it. */
  alias?: string;
  /** Headers only: read `user_agent` from `user-agent`, as FastAPI does (default true). */
  convertUnderscores?: boolean;
  description?: string;
  deprecated?: boolean;
  /** Leave this input out of the OpenAPI document. */
  includeInSchema?: boolean;
  /** Bodies only: expect `{"name": value}` even when this is the route's only body input. */
  embed?: boolean;
  /**
   * Query, header and cookie models only: the wire name of a field that differs from its
   * property name, e.g. `{ item_query: "item-query" }`.
   */
  aliases?: { readonly [field: string]: string | undefined };
}

/** The options of `query()`, `header()` and `cookie()`: a model's `aliases` name its own fields. */
export type ParamOptionsFor<S extends StandardSchemaV1> = Omit<ParamOptions, "aliases"> & {
  aliases?: { readonly [K in keyof StandardSchemaV1.InferInput<S> & string]?: string };
};

export interface FileOptions extends ParamOptions {
  /** Whether the request must carry the file (default true). */
  required?: boolean;
  /** Largest accepted file in bytes, each file for `files()`. Over it: 413, and reading stops. */
  maxSize?: number;
  /** Accepted media types, exact (`image/png`) or by family (`image/*`). Others: 422. */
  contentTypes?: readonly string[];
}

export interface ParamInfo {
  readonly location: Location;
  /** For body inputs: how the value is carried. */
  readonly kind?: BodyKind;
  readonly schema: StandardSchemaV1;
  readonly options: ParamOptions;
}

const kParam: unique symbol = Symbol.for("spry.param");

/**
 * Type-level only: how a pinned input travels, as the typed client (spry/client) sends it:
 * its place (a body input's kind as well), its alias (never: none), whether a header's
 * underscores become hyphens, whether a lone body input is embedded by name.
 */
export interface Wire<
  W extends Location | "form" | "file" = Location | "form" | "file",
  A extends string = never,
  U extends boolean = true,
  E extends boolean = false,
> {
  readonly where: W;
  readonly alias: A;
  readonly underscores: U;
  readonly embed: E;
}

/** A schema with its location pinned. It is still a Standard Schema with the same types. */
export interface Param<S extends StandardSchemaV1 = StandardSchemaV1, X extends Wire<any, any, boolean, boolean> = Wire<any, any, boolean, boolean>>
  extends StandardSchemaV1<StandardSchemaV1.InferInput<S>, StandardSchemaV1.InferOutput<S>> {
  readonly [kParam]: ParamInfo;
  /** Carries X for the typed client only; never set. */
  readonly "~wire"?: X;
}

function located<S extends StandardSchemaV1, X extends Wire<any, any, boolean, boolean>>(location: Location, schema: S, options: ParamOptions = {}, kind?: BodyKind): Param<S, X> {
  return { "~standard": schema["~standard"], [kParam]: { location, schema, options, kind } } as Param<S, X>;
}

/** The declared location of an input, if it was pinned with `query()`, `header()`, ... */
export function paramInfo(value: StandardSchemaV1): ParamInfo | undefined {
  return (value as Partial<Param>)[kParam];
}

/**
 * A query parameter. Plain schemas that are not path parameters are query parameters already;
 * use this for an alias or OpenAPI details. An object schema is a query model: each of its
 * properties is a query parameter (docs/inputs.md, "Parameter models").
 *
 * @example
 * app.get("/items/", { item_query: query(z.string(), { alias: "item-query" }) }, ({ item_query }) => item_query);
 * app.get("/list/", { filter: query(z.object({ limit: z.int().default(10), tags: z.array(z.string()).default([]) })) }, ({ filter }) => filter);
 */
export function query<S extends StandardSchemaV1, const A extends string = never>(schema: S, options?: ParamOptionsFor<S> & { alias?: A }): Param<S, Wire<"query", A>> {
  return located("query", schema, options);
}

/**
 * A request header. `user_agent` reads the `user-agent` header unless `convertUnderscores` is false.
 * An array schema receives every value of a repeated header. An object schema is a header
 * model, each property a header.
 *
 * @example
 * app.get("/agent", { user_agent: header(z.string()) }, ({ user_agent }) => ({ user_agent }));
 */
export function header<S extends StandardSchemaV1, const A extends string = never, const U extends boolean = true>(
  schema: S,
  options?: ParamOptionsFor<S> & { alias?: A; convertUnderscores?: U },
): Param<S, Wire<"header", A, U>> {
  return located("header", schema, options);
}

/**
 * A cookie; an object schema is a cookie model, each property a cookie.
 *
 * @example
 * app.get("/session", { session_id: cookie(z.string()) }, ({ session_id }) => ({ session_id }));
 */
export function cookie<S extends StandardSchemaV1, const A extends string = never>(schema: S, options?: ParamOptionsFor<S> & { alias?: A }): Param<S, Wire<"cookie", A>> {
  return located("cookie", schema, options);
}

/**
 * A path parameter. Names in the path template are path parameters already; use this for
 * OpenAPI details.
 *
 * @example
 * app.get("/items/{item_id}", { item_id: path(z.int(), { description: "The item's id" }) }, ({ item_id }) => item_id);
 */
export function path<S extends StandardSchemaV1, const A extends string = never>(schema: S, options?: ParamOptions & { alias?: A }): Param<S, Wire<"path", A>> {
  return located("path", schema, options);
}

/**
 * A JSON body input. An object schema is a body already, as a pydantic model is in FastAPI;
 * use this for a single value in the body, or `embed: true` to expect `{"name": value}`.
 * Several body inputs are always embedded by name.
 *
 * @example
 * app.put("/items/{item_id}", { item: Item, importance: body(z.int()) }, ({ item, importance }) => ...);
 * // expects {"item": {...}, "importance": 5}
 */
export function body<S extends StandardSchemaV1, const A extends string = never, const E extends boolean = false>(
  schema: S,
  options?: ParamOptions & { alias?: A; embed?: E },
): Param<S, Wire<"body", A, true, E>> {
  return located("body", schema, options, "json");
}

/**
 * A form field, from an `application/x-www-form-urlencoded` or `multipart/form-data` body,
 * converted by its declared type like a query parameter.
 *
 * @example
 * app.post("/login", { username: form(z.string()), password: form(z.string()) }, ({ username }) => ({ username }));
 */
export function form<S extends StandardSchemaV1, const A extends string = never>(schema: S, options?: ParamOptions & { alias?: A }): Param<S, Wire<"form", A>> {
  return located("body", schema, options, "form");
}

/**
 * An uploaded file from a `multipart/form-data` body, as an UploadFile. Small files stay in
 * memory; larger ones are spooled to a temporary file, removed after the response.
 *
 * @example
 * app.post("/avatar", { image: file({ maxSize: 2_000_000, contentTypes: ["image/*"] }) }, async ({ image }) => ({
 *   filename: image.filename,
 *   size: image.size,
 * }));
 */
export function file<const A extends string = never>(options?: FileOptions & { required?: true; alias?: A }): Param<StandardSchemaV1<UploadFile, UploadFile>, Wire<"file", A>>;
export function file<const A extends string = never>(options: FileOptions & { alias?: A }): Param<StandardSchemaV1<UploadFile | undefined, UploadFile | undefined>, Wire<"file", A>>;
export function file(options: FileOptions = {}): Param {
  const schema = uploadSchema(false, { required: options.required ?? true, contentTypes: options.contentTypes });
  return located("body", schema, options, "file");
}

/**
 * Every file uploaded under one field name (`<input type="file" multiple>`), in order. Optional
 * ones give an empty list when none was sent.
 *
 * @example
 * app.post("/photos", { photos: files({ contentTypes: ["image/*"] }) }, ({ photos }) => photos.map((p) => p.filename));
 */
export function files<const A extends string = never>(options?: FileOptions & { required?: true; alias?: A }): Param<StandardSchemaV1<UploadFile[], UploadFile[]>, Wire<"file", A>>;
// Not required: a request may leave the field out (its input type says so), the handler still gets a list.
export function files<const A extends string = never>(options: FileOptions & { alias?: A }): Param<StandardSchemaV1<UploadFile[] | undefined, UploadFile[]>, Wire<"file", A>>;
export function files(options: FileOptions = {}): Param {
  const schema = uploadSchema<UploadFile[]>(true, { required: options.required ?? true, contentTypes: options.contentTypes });
  return located("body", schema, options, "file");
}
