import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "../context.ts";
import { compileBodyReader } from "../body/read-body.ts";
import { fromIssue, missing, RequestValidationError, type ErrorDetail } from "../validation-error.ts";
import { convert, Failed, type Raw } from "./convert.ts";
import type { InputPlan, InputSpec } from "./spec.ts";
import { compileParamModel, type ModelOutcome, type ReadParamModel } from "./param-model.ts";

/** Each owner's validated inputs: the route's at 0, then each dependency's. */
export type Values = Record<string, unknown>[];

/** Reads, converts and validates a route's inputs; throws RequestValidationError listing every failure. */
export type ReadInputs = (ctx: Context) => Values | Promise<Values>;

type Validated = StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;

/** What one request's reading has gathered so far. */
interface Gathered {
  readonly values: Values;
  errors: ErrorDetail[] | undefined;
  waiting: Pending[] | undefined;
  /** Parameter models whose schema validates asynchronously. */
  models: Promise<void>[] | undefined;
}

interface Pending {
  readonly spec: InputSpec;
  readonly input: unknown;
  readonly absent: boolean;
  readonly result: Promise<StandardSchemaV1.Result<unknown>>;
}

/**
 * Compiles the input reader of one route, or undefined when it declares no inputs. Each
 * parameter costs one raw read, one conversion and one validation; the reader turns
 * asynchronous only when the route has a body or a schema validates asynchronously. Errors
 * from every input, body included, are reported together, as FastAPI does.
 */
export function compileReader(plan: InputPlan): ReadInputs | undefined {
  const { params, body, owners } = plan;
  if (params.length === 0 && body === undefined) return undefined;
  const models = params.map((spec) => (spec.model === undefined ? undefined : compileParamModel(spec.location as "query", spec.model, spec.schema)));
  const readers = params.map((spec) => (spec.model === undefined ? rawReader(spec) : noRaw));
  const readBody = body === undefined ? undefined : compileBodyReader(body);
  return (ctx) => {
    const values: Values = owners === 1 ? [{}] : freshValues(owners);
    const gathered: Gathered = { values, errors: undefined, waiting: undefined, models: undefined };
    for (let i = 0; i < params.length; i++) {
      const spec = params[i]!;
      const model = models[i];
      if (model !== undefined) {
        readModel(spec, model, ctx, gathered);
        continue;
      }
      const raw = readers[i]!(ctx);
      const input = convert(spec, raw);
      if (input instanceof Failed) (gathered.errors ??= []).push(...input.errors);
      // Absent: not sent, or a list header with no value at all.
      else validate(spec, input, input === undefined, gathered, sent(spec, raw));
    }
    if (readBody === undefined) return finish(gathered);
    return readBody(ctx).then((read) => {
      if (read.errors !== undefined) (gathered.errors ??= []).push(...read.errors);
      for (const { spec, input, absent } of read.inputs) validate(spec, input, absent, gathered);
      return finish(gathered);
    });
  };
}

// `reported` is what the client sent, which errors quote: "2", not 2, for a path parameter
// refused by its bound, as pydantic quotes it.
function validate(spec: InputSpec, input: unknown, absent: boolean, gathered: Gathered, reported: unknown = input): void {
  const result: Validated = spec.schema["~standard"].validate(input);
  if (result instanceof Promise) {
    (gathered.waiting ??= []).push({ spec, input: reported, absent, result });
    return;
  }
  record(spec, reported, absent, result, gathered);
}

/** The text (or, for a list, the texts) that a URL, header or cookie input was converted from. */
function sent(spec: InputSpec, raw: Raw): unknown {
  if (raw === undefined || spec.list) return typeof raw === "string" ? [raw] : raw;
  return typeof raw === "string" ? raw : raw[raw.length - 1];
}

function readModel(spec: InputSpec, model: ReadParamModel, ctx: Context, gathered: Gathered): void {
  const take = (outcome: ModelOutcome): void => {
    if (outcome.errors !== undefined) (gathered.errors ??= []).push(...outcome.errors);
    else gathered.values[spec.owner]![spec.name] = outcome.value;
  };
  const outcome = model(ctx);
  if (outcome instanceof Promise) (gathered.models ??= []).push(outcome.then(take));
  else take(outcome);
}

const noRaw = (): Raw => undefined;

// A loop, not Array.from({ length }, fn): that one walks a generic array-like per request.
function freshValues(owners: number): Values {
  const values: Values = new Array(owners);
  for (let i = 0; i < owners; i++) values[i] = {};
  return values;
}

function finish(gathered: Gathered): Values | Promise<Values> {
  if (gathered.waiting !== undefined || gathered.models !== undefined) return finishAsync(gathered);
  if (gathered.errors !== undefined) throw new RequestValidationError(gathered.errors);
  return gathered.values;
}

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
    case "body":
      throw new Error("Body inputs are read by the body reader");
  }
}

function record(spec: InputSpec, input: unknown, absent: boolean, result: StandardSchemaV1.Result<unknown>, gathered: Gathered): void {
  if (result.issues === undefined) {
    gathered.values[spec.owner]![spec.name] = result.value;
    return;
  }
  const errors = (gathered.errors ??= []);
  for (const issue of result.issues) {
    const atRoot = issue.path === undefined || issue.path.length === 0;
    errors.push(absent && atRoot ? missing([...spec.loc]) : fromIssue(issue, [...spec.loc], input));
  }
}

async function finishAsync(gathered: Gathered): Promise<Values> {
  if (gathered.models !== undefined) await Promise.all(gathered.models);
  for (const { spec, input, absent, result } of gathered.waiting ?? []) {
    record(spec, input, absent, await result, gathered);
  }
  if (gathered.errors !== undefined) throw new RequestValidationError(gathered.errors);
  return gathered.values;
}
