import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "../context.ts";
import { isPromise } from "../../common/is-promise.ts";
import { fromIssue, missing, type ErrorDetail } from "../validation-error.ts";
import { compileCoerce, CoercionFailure, failureDetails, listItems, type Coerce } from "./coerce.ts";
import { withoutNull, type JsonSchema } from "./json-schema.ts";
import type { Location, ParamOptions } from "./param.ts";

/** One field of a query, header or cookie model, resolved when the route is declared. */
export interface ModelField {
  /** The property's name in the model (and in the handler's value). */
  readonly name: string;
  /** Where it is read: the query key, the cookie name, or the lower-case header name. */
  readonly key: string;
  /** Its name in error locations, as FastAPI reports it: the alias, or the property's name (headers included). */
  readonly locKey: string;
  readonly list: boolean;
  readonly coerce: Coerce;
  readonly required: boolean;
  /** The property's JSON Schema, for OpenAPI. */
  readonly schema: JsonSchema;
}

/** A query, header or cookie model: an object schema whose properties are parameters each. */
export interface ParamModel {
  readonly fields: readonly ModelField[];
  /** The object refuses properties it does not declare (`z.strictObject`, pydantic's extra="forbid"). */
  readonly forbidsExtra: boolean;
}

type ParamLocation = Exclude<Location, "path" | "body">;

/**
 * Plans a parameter model from an object schema's JSON Schema, or gives undefined when the
 * schema is no object with properties. `where` names the route and the input for errors in
 * the declaration.
 */
export function planParamModel(location: ParamLocation, root: JsonSchema | undefined, options: ParamOptions, where: string): ParamModel | undefined {
  if (root === undefined) return undefined;
  const node = withoutNull(root, root);
  const properties = node.type === "object" && typeof node.properties === "object" && node.properties !== null
    ? (node.properties as Record<string, JsonSchema>)
    : undefined;
  if (properties === undefined) return undefined;
  if (options.alias !== undefined) {
    throw new Error(`${where}: a ${location} model takes \`aliases\` per field, not one \`alias\``);
  }
  const aliases = options.aliases ?? {};
  for (const name of Object.keys(aliases)) {
    if (!Object.hasOwn(properties, name)) throw new Error(`${where}: \`aliases\` names "${name}", which the model does not declare`);
  }
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const fields = Object.entries(properties).map(([name, schema]): ModelField => {
    const alias = aliases[name];
    const items = listItems(schema, root);
    const list = items !== undefined;
    const coerce = list ? compileCoerce(items ?? undefined, root) : compileCoerce(schema, root);
    return { name, key: wireKey(location, name, alias, options), locKey: alias ?? name, list, coerce, required: required.has(name), schema };
  });
  return { fields, forbidsExtra: node.additionalProperties === false };
}

// FastAPI reads a header model's field `save_data` from `save-data`, unless the model's
// marker turns conversion off; an alias is used as it is.
function wireKey(location: ParamLocation, name: string, alias: string | undefined, options: ParamOptions): string {
  if (location !== "header") return alias ?? name;
  if (alias !== undefined) return alias.toLowerCase();
  return (options.convertUnderscores === false ? name : name.replaceAll("_", "-")).toLowerCase();
}

/** A model's value, or every error it had; never both. */
export type ModelOutcome = { readonly value: unknown; readonly errors?: undefined } | { readonly value?: undefined; readonly errors: ErrorDetail[] };

export type ReadParamModel = (ctx: Context) => ModelOutcome | Promise<ModelOutcome>;

type Raw = string | string[];

/**
 * Compiles how one parameter model is read: each field from its own key, converted by its
 * declared type like a single parameter, then the whole object validated by the schema. Every
 * failure is reported at once, in the model's field order, then the extra keys a strict model
 * refuses, with the locations and inputs FastAPI gives (`["query", "limit"]`, the string the
 * client sent).
 */
export function compileParamModel(location: ParamLocation, model: ParamModel, schema: StandardSchemaV1): ReadParamModel {
  const { fields, forbidsExtra } = model;
  const read = rawReader(location);
  const known = new Set(fields.flatMap((f) => [f.key, f.locKey]));
  return (ctx) => {
    const raws = new Array<Raw | undefined>(fields.length);
    // No prototype: the keys are the client's.
    const input: Record<string, unknown> = Object.create(null);
    let failed: ErrorDetail[][] | undefined;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const raw = read(ctx, field);
      raws[i] = raw;
      if (raw === undefined) continue;
      const value = convert(field, raw, location);
      if (value instanceof Failure) (failed ??= [])[i] = value.errors;
      else input[field.name] = value;
    }
    const extra = forbidsExtra ? extras(ctx, location, known) : undefined;
    const result = schema["~standard"].validate(input);
    const outcome = (validated: StandardSchemaV1.Result<unknown>): ModelOutcome => {
      if (validated.issues === undefined && failed === undefined && extra === undefined) return { value: validated.value };
      return { errors: collect(location, model, raws, failed, validated.issues ?? [], extra, ctx) };
    };
    return isPromise(result) ? result.then(outcome) : outcome(result);
  };
}

function rawReader(location: ParamLocation): (ctx: Context, field: ModelField) => Raw | undefined {
  switch (location) {
    case "query":
      return (ctx, field) => ctx.query[field.key];
    case "cookie":
      return (ctx, field) => ctx.cookies[field.key];
    case "header":
      return (ctx, field) => {
        if (!field.list) return ctx.header(field.key);
        const values = ctx.headerValues(field.key);
        return values.length === 0 ? undefined : values;
      };
  }
}

class Failure {
  readonly errors: ErrorDetail[];
  constructor(errors: ErrorDetail[]) {
    this.errors = errors;
  }
}

function convert(field: ModelField, raw: Raw, location: ParamLocation): unknown {
  const loc = [location, field.locKey];
  if (field.list) {
    const items = typeof raw === "string" ? [raw] : raw;
    const out = new Array<unknown>(items.length);
    let errors: ErrorDetail[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const value = field.coerce(items[i]!);
      if (value instanceof CoercionFailure) (errors ??= []).push(...failureDetails(value, [...loc, i], items[i]));
      else out[i] = value;
    }
    return errors === undefined ? out : new Failure(errors);
  }
  // A scalar given several times takes the last value, as for a single parameter.
  const text = typeof raw === "string" ? raw : raw[raw.length - 1]!;
  const value = field.coerce(text);
  return value instanceof CoercionFailure ? new Failure(failureDetails(value, loc, text)) : value;
}

// Keys the model does not declare, each with its value (a list when repeated), as FastAPI
// hands them to a model that forbids them.
function extras(ctx: Context, location: ParamLocation, known: ReadonlySet<string>): [string, Raw][] | undefined {
  let found: [string, Raw][] | undefined;
  const add = (key: string, value: Raw | undefined): void => {
    if (value === undefined || known.has(key)) return;
    (found ??= []).push([key, Array.isArray(value) && value.length === 1 ? value[0]! : value]);
  };
  if (location === "header") for (const name of ctx.headerNames()) add(name, ctx.headerValues(name));
  else {
    const source = location === "query" ? ctx.query : ctx.cookies;
    for (const key in source) add(key, source[key]);
  }
  return found;
}

function collect(
  location: ParamLocation,
  model: ParamModel,
  raws: readonly (Raw | undefined)[],
  failed: ErrorDetail[][] | undefined,
  issues: readonly StandardSchemaV1.Issue[],
  extra: [string, Raw][] | undefined,
  ctx: Context,
): ErrorDetail[] {
  const { fields } = model;
  const byField: ErrorDetail[][] = fields.map((_, i) => failed?.[i] ?? []);
  const atRoot: ErrorDetail[] = [];
  let received: Record<string, unknown> | undefined;
  // What pydantic reports as a missing field's input: everything the model was given.
  const all = (): Record<string, unknown> => (received ??= receivedInput(location, model, raws, ctx));
  for (const issue of issues) {
    const path = (issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p)) as (string | number)[];
    const index = path.length === 0 ? -1 : fields.findIndex((f) => f.name === path[0]);
    if (index === -1) {
      atRoot.push(fromIssue(issue, [location, ...path], all()));
      continue;
    }
    if (failed?.[index] !== undefined) continue; // reported by its conversion already
    const field = fields[index]!;
    const raw = raws[index];
    const rest = path.slice(1);
    if (raw === undefined && rest.length === 0) byField[index]!.push({ ...missing([location, field.locKey]), input: all() });
    else byField[index]!.push(fromIssue({ ...issue, path: rest }, [location, field.locKey], raw));
  }
  const errors = [...byField.flat(), ...atRoot].map(ordered);
  for (const [key, value] of extra ?? []) {
    errors.push({ type: "extra_forbidden", loc: [location, key], msg: "Extra inputs are not permitted", input: value });
  }
  return errors;
}

// The keys in pydantic's order, so that the 422 body is FastAPI's byte for byte.
function ordered({ type, loc, msg, input, ctx }: ErrorDetail): ErrorDetail {
  return ctx === undefined ? { type, loc, msg, input } : { type, loc, msg, input, ctx };
}

function receivedInput(location: ParamLocation, model: ParamModel, raws: readonly (Raw | undefined)[], ctx: Context): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  model.fields.forEach((field, i) => {
    const raw = raws[i];
    if (raw !== undefined) out[field.locKey] = field.list ? (typeof raw === "string" ? [raw] : raw) : typeof raw === "string" ? raw : raw[raw.length - 1];
    // FastAPI fills in a default it has, except None.
    else if (!field.required && field.schema.default !== undefined && field.schema.default !== null) out[field.locKey] = field.schema.default;
  });
  const known = new Set(model.fields.flatMap((f) => [f.key, f.locKey]));
  for (const [key, value] of extras(ctx, location, known) ?? []) out[key] = value;
  return out;
}
