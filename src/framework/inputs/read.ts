import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "../../toolkit/context.ts";
import { fromIssue, missing, RequestValidationError, type ErrorDetail } from "../validation-error.ts";
import { CoercionFailure } from "./coerce.ts";
import type { InputSpec } from "./plan.ts";

/** Reads, converts and validates a route's inputs; throws RequestValidationError listing every failure. */
export type ReadInputs = (ctx: Context) => Record<string, unknown> | Promise<Record<string, unknown>>;

type Validated = StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;

interface Pending {
  readonly spec: InputSpec;
  readonly input: unknown;
  readonly result: Validated;
}

/**
 * Compiles the input reader of one route. Each input costs one raw read, one conversion and
 * one validation; the reader only turns asynchronous if a schema's validation does.
 */
export function compileReader(specs: readonly InputSpec[]): ReadInputs {
  const readers = specs.map(rawReader);
  return (ctx) => {
    const values: Record<string, unknown> = {};
    let errors: ErrorDetail[] | undefined;
    let waiting: Pending[] | undefined;
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const raw = readers[i]!(ctx);
      const input = convert(spec, raw);
      if (input instanceof Failed) {
        (errors ??= []).push(...input.errors);
        continue;
      }
      const result = spec.schema["~standard"].validate(input);
      if (result instanceof Promise) {
        (waiting ??= []).push({ spec, input, result });
        continue;
      }
      errors = settle(spec, input, raw, result, values, errors);
    }
    if (waiting !== undefined) return finishAsync(waiting, values, errors);
    if (errors !== undefined) throw new RequestValidationError(errors);
    return values;
  };
}

type Raw = string | string[] | undefined;

function rawReader(spec: InputSpec): (ctx: Context) => Raw {
  const key = spec.key;
  switch (spec.location) {
    case "path":
      return (ctx) => ctx.params[key];
    case "query":
      return (ctx) => ctx.query[key];
    case "header":
      return spec.list ? (ctx) => ctx.headerValues(key) : (ctx) => ctx.header(key);
    case "cookie":
      return (ctx) => ctx.cookies[key];
  }
}

/** Conversion errors, allocated only when a conversion fails. */
class Failed {
  readonly errors: ErrorDetail[];
  constructor(errors: ErrorDetail[]) {
    this.errors = errors;
  }
}

function convert(spec: InputSpec, raw: Raw): unknown {
  if (raw === undefined) return undefined;
  if (spec.list) {
    const items = typeof raw === "string" ? [raw] : raw;
    if (spec.location === "header" && items.length === 0) return undefined;
    const out = new Array<unknown>(items.length);
    let errors: ErrorDetail[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const value = spec.coerce(items[i]!);
      if (value instanceof CoercionFailure) {
        (errors ??= []).push({ type: value.type, loc: [spec.location, spec.key, i], msg: value.msg, input: items[i] });
      } else out[i] = value;
    }
    return errors === undefined ? out : new Failed(errors);
  }
  // A scalar given several times takes the last value, as Starlette's query_params does.
  const text = typeof raw === "string" ? raw : raw[raw.length - 1]!;
  const value = spec.coerce(text);
  if (value instanceof CoercionFailure) {
    return new Failed([{ type: value.type, loc: [spec.location, spec.key], msg: value.msg, input: text }]);
  }
  return value;
}

function settle(
  spec: InputSpec,
  input: unknown,
  raw: unknown,
  result: StandardSchemaV1.Result<unknown>,
  values: Record<string, unknown>,
  errors: ErrorDetail[] | undefined,
): ErrorDetail[] | undefined {
  if (result.issues === undefined) {
    values[spec.name] = result.value;
    return errors;
  }
  const loc = [spec.location, spec.key];
  errors ??= [];
  for (const issue of result.issues) {
    const atRoot = issue.path === undefined || issue.path.length === 0;
    errors.push(raw === undefined && atRoot ? missing(loc) : fromIssue(issue, loc, input));
  }
  return errors;
}

async function finishAsync(
  waiting: Pending[],
  values: Record<string, unknown>,
  errors: ErrorDetail[] | undefined,
): Promise<Record<string, unknown>> {
  for (const { spec, input, result } of waiting) {
    errors = settle(spec, input, input, await result, values, errors);
  }
  if (errors !== undefined) throw new RequestValidationError(errors);
  return values;
}
