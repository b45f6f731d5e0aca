import type { StandardSchemaV1 } from "@standard-schema/spec";
import { isPromise } from "../../common/is-promise.ts";
import {
  BOOL_PARSING,
  choiceFailure,
  CoercionFailure,
  INT_SIZE,
  toBoolean,
  toInteger,
  toNumber,
  unionTag,
} from "../inputs/coerce.ts";
import { resolve, type JsonSchema } from "../inputs/json-schema.ts";
import { DATE_INEXACT } from "../format-errors.ts";
import type { DescribedIssue } from "../validation-error.ts";
import { compileUnchanged } from "./json-unchanged.ts";
import { AsSent, compileAccept, keepsInput, MISS } from "../inputs/accept.ts";

/**
 * Parsed JSON converted by its schema's JSON Schema, as pydantic converts JSON in FastAPI:
 * lax mode turns numeric strings into numbers, integral floats into integers, the strings and
 * numbers pydantic reads as booleans into booleans; strict mode takes JSON's own types only.
 * Strings are never made from other types in either mode. What cannot be converted is
 * reported by pydantic's names and the schema is then asked about everything else.
 */
export type ConvertJson = (value: unknown, path: Path, errors: ConversionError[]) => unknown;

/**
 * Where a value sits in the body, or undefined on the first pass: a body is converted without
 * building any path (most convert cleanly), and only one that failed is converted again with
 * them, for the errors' locations. Conversion never changes its input, so the second pass sees
 * what the first did.
 */
type Path = readonly (string | number)[] | undefined;

const NO_PATH: readonly (string | number)[] = [];
const child = (path: Path, key: string | number): Path => (path === undefined ? undefined : [...path, key]);

/** One value that could not be converted: where, what was sent, and why. */
export interface ConversionError {
  /** Empty on the first pass, whose errors are only counted. */
  readonly path: readonly (string | number)[];
  readonly input: unknown;
  readonly failure: CoercionFailure;
}

const INT_TYPE = new CoercionFailure("int_type", "Input should be a valid integer");
const INT_FROM_FLOAT = new CoercionFailure("int_from_float", "Input should be a valid integer, got a number with a fractional part");
const FLOAT_TYPE = new CoercionFailure("float_type", "Input should be a valid number");
const BOOL_TYPE = new CoercionFailure("bool_type", "Input should be a valid boolean");
const STRING_TYPE = new CoercionFailure("string_type", "Input should be a valid string");
const LIST_TYPE = new CoercionFailure("list_type", "Input should be a valid list");
const MODEL_TYPE = new CoercionFailure("model_attributes_type", "Input should be a valid dictionary or object to extract fields from");
const DICT_TYPE = new CoercionFailure("dict_type", "Input should be a valid dictionary");
const NONE_REQUIRED = new CoercionFailure("none_required", "Input should be None");
const INEXACT = new CoercionFailure(DATE_INEXACT.type, DATE_INEXACT.msg);
const DATETIME_RANGE = new CoercionFailure(
  "datetime_parsing",
  "Input should be a valid datetime, dates after 9999 are not supported as unix timestamps",
  { error: "dates after 9999 are not supported as unix timestamps" },
);

// A string of another format refuses a non-string with its own type name.
const FORMAT_TYPES: Record<string, CoercionFailure> = {
  uuid: new CoercionFailure("uuid_type", "UUID input should be a string, bytes or UUID object"),
  uri: new CoercionFailure("url_type", "URL input should be a string or URL"),
  date: new CoercionFailure("date_type", "Input should be a valid date"),
  "date-time": new CoercionFailure("datetime_type", "Input should be a valid datetime"),
};

const keep: ConvertJson = (value) => value;

/**
 * Compiles the converter of a body's JSON Schema. `strict` is the app's or the route's
 * setting; a model or field whose schema says `strict: true` or `false` (zod:
 * `.meta({ strict: true })`) decides for its own fields, as a pydantic model's `strict`
 * config does, and a nested model without a say of its own goes back to the route's.
 */
export function compileJsonConvert(root: JsonSchema, strict: boolean): ConvertJson {
  const compiled = new Map<string, ConvertJson>();
  // `explicit`: the strictness a referring node set beside its $ref (zod writes
  // `Model.meta({ strict: true })` as `{"strict": true, "$ref": "#/$defs/Model"}`).
  const compile = (node: JsonSchema, inherited: boolean, explicit?: boolean): ConvertJson => {
    // A $ref is compiled once per strictness, and lazily: models may refer to themselves.
    if (typeof node.$ref === "string") {
      const said = typeof node.strict === "boolean" ? node.strict : explicit;
      const key = `${node.$ref}|${inherited}|${said}`;
      const target = root.$defs?.[node.$ref.slice("#/$defs/".length)];
      if (target === undefined || !node.$ref.startsWith("#/$defs/")) return keep;
      let converter = compiled.get(key);
      // The map only saves compiling a model again for each place that refers to it (and for
      // each level of a recursive one); a converter made afresh would answer the same.
      if (converter === undefined) {
        let inner: ConvertJson | undefined;
        converter = (value, path, errors) => (inner ??= compile(target, inherited, said))(value, path, errors);
        // Stryker disable next-line CallExpression: equivalent, as said above
        compiled.set(key, converter);
      }
      return converter;
    }
    if (node.allOf?.length === 1) return compile(node.allOf[0]!, inherited, typeof node.strict === "boolean" ? node.strict : explicit);
    const isModel = node.properties !== undefined;
    const own = typeof node.strict === "boolean" ? node.strict : (explicit ?? (isModel ? strict : inherited));
    const branches = Array.isArray(node.type) ? node.type.map((type) => ({ ...node, type })) : (node.anyOf ?? node.oneOf);
    if (branches !== undefined) return union(branches, (branch) => compile(branch, own), root);
    if (node.enum !== undefined || "const" in node) return choice(node.enum ?? [node.const]);
    switch (node.type) {
      case "integer":
        return scalar(own ? strictInteger : laxInteger);
      case "number":
        return scalar(own ? strictNumber : laxNumber);
      case "boolean":
        return scalar(own ? strictBoolean : laxBoolean);
      case "string":
        return scalar(stringOf(node.format, own));
      case "null":
        return scalar((value) => (value === null ? null : NONE_REQUIRED));
      case "array":
        return list(typeof node.items === "object" ? compile(node.items, own) : keep);
      case "object":
        return object(node, (child) => compile(child, own));
    }
    return keep;
  };
  return compile(root, strict);
}

type Scalar = (value: unknown) => unknown;

function scalar(convert: Scalar): ConvertJson {
  return (value, path, errors) => {
    if (value === undefined) return value;
    const converted = convert(value);
    if (!(converted instanceof CoercionFailure)) return converted;
    errors.push({ path: path ?? NO_PATH, input: value, failure: converted });
    return value;
  };
}

// Integers past 2^53 are refused, never rounded (docs/reliability.md, row 13); JSON.parse has
// already rounded the digits, so the value reported is the rounded one.
function laxInteger(value: unknown): unknown {
  switch (typeof value) {
    case "number":
      if (!Number.isInteger(value)) return INT_FROM_FLOAT;
      return Number.isSafeInteger(value) ? value + 0 : INT_SIZE;
    case "string":
      return toInteger(value);
    case "boolean":
      return value ? 1 : 0;
  }
  return INT_TYPE;
}

function strictInteger(value: unknown): unknown {
  if (!Number.isInteger(value)) return INT_TYPE;
  return Number.isSafeInteger(value) ? value : INT_SIZE;
}

function laxNumber(value: unknown): unknown {
  switch (typeof value) {
    case "number":
      return value;
    case "boolean":
      return value ? 1 : 0;
    case "string":
      return toNumber(value);
  }
  return FLOAT_TYPE;
}

function strictNumber(value: unknown): unknown {
  return typeof value === "number" ? value : FLOAT_TYPE;
}

function laxBoolean(value: unknown): unknown {
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      if (value === 1 || value === 0) return value === 1;
      return Number.isInteger(value) ? BOOL_PARSING : BOOL_TYPE;
    case "string":
      return toBoolean(value);
  }
  return BOOL_TYPE;
}

function strictBoolean(value: unknown): unknown {
  return typeof value === "boolean" ? value : BOOL_TYPE;
}

// Strict mode refuses a number for a date (JSON's type is what counts); a string is read the
// same way in both modes.
function stringOf(format: unknown, strict: boolean): Scalar {
  const notString = FORMAT_TYPES[format as string] ?? STRING_TYPE;
  switch (format) {
    case "uuid":
      return (value) => (typeof value === "string" ? laxUuid(value) : notString);
    case "date":
      return (value) => (typeof value === "string" ? laxDate(value) : typeof value === "number" && !strict ? dateFromTimestamp(value) : notString);
    case "date-time":
      return (value) => (typeof value === "string" ? laxDateTime(value) : typeof value === "number" && !strict ? dateTimeFromTimestamp(value) : notString);
  }
  return (value) => (typeof value === "string" ? value : notString);
}

// pydantic reads a UUID with braces, a `urn:uuid:` prefix, upper case or no hyphens, and
// answers with its canonical form; the schema then checks that form.
function laxUuid(text: string): string {
  const inner = text.startsWith("urn:uuid:") ? text.slice(9) : text.startsWith("{") && text.endsWith("}") ? text.slice(1, -1) : text;
  const hex = /^([0-9a-fA-F]{8})(-?)([0-9a-fA-F]{4})\2([0-9a-fA-F]{4})\2([0-9a-fA-F]{4})\2([0-9a-fA-F]{12})$/.exec(inner);
  return hex === null ? text : [hex[1], hex[3], hex[4], hex[5], hex[6]].join("-").toLowerCase();
}

const ZERO_TIME = /^(\d{4}-\d{2}-\d{2})[Tt_ ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

// A date field takes a datetime at midnight, and a Unix timestamp of a whole day.
function laxDate(text: string): unknown {
  const midnight = ZERO_TIME.exec(text);
  if (midnight !== null) return midnight[1];
  if (/^[+-]?\d+(?:\.\d+)?$/.test(text)) return dateFromTimestamp(Number(text));
  return text;
}

function laxDateTime(text: string): unknown {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T00:00:00`;
  if (/^\d{4}-\d{2}-\d{2}[Tt_ ]\d{2}:\d{2}/.test(text)) {
    // pydantic reads `t`, `_` or a space for the `T`, and an offset without its colon.
    return `${text.slice(0, 10)}T${text.slice(11)}`.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  }
  if (/^[+-]?\d+(?:\.\d+)?$/.test(text)) return dateTimeFromTimestamp(Number(text));
  return text;
}

// speedate reads a timestamp past 2e10 as milliseconds.
function seconds(timestamp: number): number {
  return Math.abs(timestamp) > 20_000_000_000 ? timestamp / 1000 : timestamp;
}

function dateFromTimestamp(timestamp: number): unknown {
  const s = seconds(timestamp);
  if (s % 86_400 !== 0) return INEXACT;
  const date = new Date(s * 1000);
  return Number.isNaN(date.getTime()) ? INEXACT : date.toISOString().slice(0, 10);
}

function dateTimeFromTimestamp(timestamp: number): unknown {
  const s = seconds(timestamp);
  const date = new Date(Math.round(s * 1000));
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999) return DATETIME_RANGE;
  const iso = date.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

// Enums and literals convert nothing (FastAPI's `Literal[1]` refuses "1" in a body); they are
// checked here so that a union can tell its members apart.
function choice(values: readonly unknown[]): ConvertJson {
  const failure = choiceFailure(values);
  return scalar((value) => (values.includes(value) ? value : failure));
}

function list(item: ConvertJson): ConvertJson {
  return (value, path, errors) => {
    if (value === undefined) return value;
    if (!Array.isArray(value)) {
      errors.push({ path: path ?? NO_PATH, input: value, failure: LIST_TYPE });
      return value;
    }
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const converted = item(value[i], child(path, i), errors);
      if (converted !== value[i]) (out ??= value.slice())[i] = converted;
    }
    return out ?? value;
  };
}

function object(node: JsonSchema, compile: (child: JsonSchema) => ConvertJson): ConvertJson {
  const properties = Object.entries((node.properties ?? {}) as Record<string, JsonSchema>).map(([key, child]) => [key, compile(child)] as const);
  const extra = typeof node.additionalProperties === "object" && node.additionalProperties !== null
    ? compile(node.additionalProperties as JsonSchema)
    : undefined;
  const notObject = node.properties === undefined ? DICT_TYPE : MODEL_TYPE;
  const known = new Set(properties.map(([key]) => key));
  return (value, path, errors) => {
    if (value === undefined) return value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      errors.push({ path: path ?? NO_PATH, input: value, failure: notObject });
      return value;
    }
    const fields = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < properties.length; i++) {
      const [key, convert] = properties[i]!;
      if (!Object.hasOwn(fields, key)) continue;
      const converted = convert(fields[key], child(path, key), errors);
      if (converted !== fields[key]) (out ??= { ...fields })[key] = converted;
    }
    if (extra !== undefined) {
      for (const key of Object.keys(fields)) {
        if (known.has(key)) continue;
        const converted = extra(fields[key], child(path, key), errors);
        if (converted !== fields[key]) (out ??= { ...fields })[key] = converted;
      }
    }
    return out ?? value;
  };
}

// pydantic's smart unions: a member that takes the value as it is wins; otherwise the first
// member, left to right, that converts it; otherwise every member's reason, each at the
// union's location plus the member's name. `X | null` is no union to pydantic: its errors
// carry no member name.
function union(branches: readonly JsonSchema[], compile: (branch: JsonSchema) => ConvertJson, root: JsonSchema): ConvertJson {
  const nullable = branches.some((b) => resolve(b, root).type === "null");
  const rest = branches.filter((b) => resolve(b, root).type !== "null");
  if (rest.length === 1) {
    const only = compile(rest[0]!);
    return nullable ? (value, path, errors) => (value === null ? null : only(value, path, errors)) : only;
  }
  const members = rest.map((b) => ({ tag: unionTag(b, root), lax: compile(b), exact: compileStrict(b, root) }));
  return (value, path, errors) => {
    if (value === null && nullable) return value;
    for (const member of members) {
      const tried: ConversionError[] = [];
      const converted = member.exact(value, path, tried);
      if (tried.length === 0) return converted;
    }
    const failures: ConversionError[] = [];
    for (const member of members) {
      const tried: ConversionError[] = [];
      const converted = member.lax(value, path, tried);
      if (tried.length === 0) return converted;
      // A member's nested failure (a model's field) is named by the member, as pydantic does.
      if (path !== undefined) for (const error of tried) failures.push({ ...error, path: [...path, member.tag, ...error.path.slice(path.length)] });
      else failures.push(...tried);
    }
    errors.push(...failures);
    return value;
  };
}

function compileStrict(node: JsonSchema, root: JsonSchema): ConvertJson {
  return compileJsonConvert({ ...resolve(node, root), $defs: root.$defs, strict: true }, true);
}

/**
 * A body's schema with conversion in front: the value is converted, the schema validates the
 * result, and the failed conversions are reported in place of the schema's issues about the
 * same values (pydantic names them; the schema would say "expected number").
 */
export function convertingSchema(schema: StandardSchemaV1, jsonSchema: JsonSchema, strict: boolean): StandardSchemaV1 {
  const convert = compileJsonConvert(jsonSchema, strict);
  // A body already in its converted form (most are) goes straight to the schema.
  const unchanged = compileUnchanged(jsonSchema, strict, compileJsonConvert);
  const standard = schema["~standard"];
  // What the compiled schema takes (inputs/accept.ts) is the schema's answer without asking it.
  const accept = compileAccept(schema);
  const asSent = accept !== undefined && keepsInput(accept);
  const validate = (value: unknown): StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>> => {
    // Asked first, on the value as sent: what it takes holds only JSON's own types where the
    // schema looks (safe integers, finite numbers, strings without a format, booleans, null,
    // enum members, lists, objects), which the conversion gives back as they are, so `unchanged`
    // would say so too and the answer is the one it led to, for one walk of the body fewer
    // (bench/apps/spry-model.ts). The one value the conversion changes is a -0 sent as the whole
    // body (it becomes 0), which goes the usual way.
    if (accept !== undefined && !Object.is(value, -0)) {
      const accepted = accept(value);
      if (accepted !== MISS) return asSent ? new AsSent(accepted) : { value: accepted };
    }
    if (unchanged !== undefined && unchanged(value)) return standard.validate(value);
    let errors: ConversionError[] = [];
    const converted = convert(value, undefined, errors);
    if (errors.length > 0) convert(value, NO_PATH, (errors = []));
    if (errors.length === 0 && accept !== undefined) {
      const accepted = accept(converted);
      if (accepted !== MISS) return { value: accepted };
    }
    const result = standard.validate(converted);
    if (errors.length === 0) return result;
    return isPromise(result) ? result.then((r) => merged(r, errors)) : merged(result, errors);
  };
  return { "~standard": { version: 1, vendor: standard.vendor, validate, types: standard.types } } as StandardSchemaV1;
}

function merged(result: StandardSchemaV1.Result<unknown>, errors: readonly ConversionError[]): StandardSchemaV1.FailureResult {
  const issues: StandardSchemaV1.Issue[] = [];
  const pending = new Set(errors);
  const emit = (error: ConversionError) => {
    pending.delete(error);
    const { type, msg, ctx } = error.failure;
    const pydantic = ctx === undefined ? { type, msg, input: error.input } : { type, msg, ctx, input: error.input };
    issues.push({ message: msg, path: error.path, pydantic } as DescribedIssue);
  };
  if (result.issues !== undefined) {
    for (const issue of result.issues) {
      const path = (issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p)) as (string | number)[];
      const overlapping = errors.filter((e) => overlaps(path, e.path));
      if (overlapping.length === 0) issues.push(issue);
      else for (const error of overlapping) if (pending.has(error)) emit(error);
    }
  }
  for (const error of pending) emit(error);
  return { issues };
}

function overlaps(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
