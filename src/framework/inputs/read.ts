import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "../context.ts";
import { compileBodyReader, isOneInput, type BodyRead, type BodyThen, type ReadBody, type ReadBodyInto } from "../body/read-body.ts";
import type { Sink } from "../../toolkit/endpoint-into.ts";
import type { ResponseLike } from "../../toolkit/response.ts";
import type { Echo } from "../body/json-echo.ts";
import { fromIssue, missing, RequestValidationError, type ErrorDetail } from "../validation-error.ts";
import { convert, Failed, type Raw } from "./convert.ts";
import type { BodyPlan, InputPlan, InputSpec } from "./spec.ts";
import { compileParamModel, type ModelOutcome, type ReadParamModel } from "./param-model.ts";
import { AsSent, compileAccept, MISS, type Accept } from "./accept.ts";
import { GeneratedFunctions } from "../body/generated-functions.ts";
import { cookieValue } from "../../toolkit/cookie-value.ts";
import { compileDirectReader, type ReadDirect } from "./read-direct.ts";

/** Each owner's validated inputs: the route's at 0, then each dependency's. */
export type Values = Record<string, unknown>[];

/**
 * Reads, converts and validates a route's inputs and goes on with `next`, at once when every
 * input is read synchronously, else in the promise job that read the last of them; throws (or
 * rejects with) RequestValidationError listing every failure.
 */
export type ReadInputs = <R>(ctx: Context, next: Next<R>) => R | Promise<R>;

/** What runs on a route's validated inputs: the rest of its pipeline. */
export type Next<R> = (ctx: Context, values: Values) => R | Promise<R>;

/**
 * As ReadInputs, for a route with a JSON body, handing the response `next` makes to the error
 * layers' sink (toolkit/endpoint-into.ts) in the promise job that read the body, and what fails
 * to `sink.fail`: undefined once delivered, else the sink's promise. May throw, as an
 * EndpointInto may.
 */
export type ReadInto = (ctx: Context, next: Next<ResponseLike>, sink: Sink<Context>) => Promise<void> | undefined;

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

/** One path, query, header or cookie input, with what reading it needs at hand. */
interface Param {
  readonly spec: InputSpec;
  readonly standard: StandardSchemaV1["~standard"];
  /** The schema compiled (accept.ts): what it takes is not validated again; the rest is. */
  readonly accept: Accept | undefined;
  /** Where its text is: a path parameter, a query key, a header (its last value or every value), a cookie. */
  readonly source: Source;
  readonly model: ReadParamModel | undefined;
}

type Source = typeof PATH | typeof QUERY | typeof HEADER | typeof HEADER_LIST | typeof COOKIE;
const PATH = 0;
const QUERY = 1;
const HEADER = 2;
const HEADER_LIST = 3;
const COOKIE = 4;

/** A route's reader, and the direct reader it tries first where it has one (read-direct.ts). */
export interface Readers {
  readonly read: ReadInputs;
  readonly direct: ReadDirect | undefined;
  /** For a route with a JSON body: the reader that hands the response to the sink. */
  readonly into: ReadInto | undefined;
}

/**
 * Compiles the input readers of one route, or undefined when it declares no inputs. Each
 * parameter costs one raw read, one conversion and one validation; the reader turns
 * asynchronous only when the route has a body or a schema validates asynchronously. Errors
 * from every input, body included, are reported together, as FastAPI does.
 */
export function compileReaders(plan: InputPlan, echo?: Echo, options: { direct?: boolean } = {}): Readers | undefined {
  const { params, body, owners } = plan;
  if (params.length === 0 && body === undefined) return undefined;
  const steps = params.map(paramOf);
  const { read: general, into } = generalReader(steps, body, owners, echo);
  // `direct: false` is for the tests that compare the two readers.
  const direct = body === undefined && echo === undefined && options.direct !== false ? compileDirectReader(steps, owners) : undefined;
  if (direct === undefined) return { read: general, direct, into };
  const read = <R>(ctx: Context, next: Next<R>): R | Promise<R> => {
    const values = direct(ctx);
    return values === MISS ? general(ctx, next) : next(ctx, values);
  };
  return { read, direct, into };
}

function generalReader(steps: readonly Param[], body: InputPlan["body"], owners: number, echo: Echo | undefined): { read: ReadInputs; into: ReadInto | undefined } {
  const bodyReaders = body === undefined ? undefined : compileBodyReader(body);
  const readBody = bodyReaders?.read;
  const bodyInto = bodyReaders?.into;
  // Without a body, each input's value goes to its slot, and the owners' objects are made at the
  // end by a function generated for the route, an object literal per owner with its keys in
  // the inputs' order: storing by each input's name was a megamorphic store (about 220
  // instructions each on /slow_task/, callgrind).
  const build = body === undefined && echo === undefined ? compileValues(steps, owners) : undefined;
  if (steps.length === 0 && readBody !== undefined) return bodyOnlyReader(readBody, bodyInto, body!, owners, echo);
  // One loop over plain records with local state: no reader closure per input and no state
  // object per request unless a body or an asynchronous schema needs one. Reading the four
  // inputs of bench/apps/spry-inputs.ts went from a median of 459 to 404 ns (one process,
  // alternating runs); zod's four validations are about 100 ns of that.
  // With a sink (`into`), only for a route with a body: that path always ends in the body's read.
  const read = <R>(ctx: Context, next: Next<R>, sink?: Sink<Context>): R | Promise<R> | Promise<void> | undefined => {
    const slots: unknown[] | undefined = build === undefined ? undefined : new Array(steps.length);
    let values: Values | undefined = slots !== undefined ? undefined : echo !== undefined ? echoValues(owners) : owners === 1 ? [{}] : freshValues(owners);
    let errors: ErrorDetail[] | undefined;
    let gathered: Gathered | undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const spec = step.spec;
      if (step.model !== undefined) {
        const outcome = step.model(ctx);
        if (outcome instanceof Promise) {
          const all = (gathered ??= { values: (values ??= freshValues(owners)), errors: undefined, waiting: undefined, models: undefined });
          (all.models ??= []).push(outcome.then((settled) => take(spec, settled, all)));
        } else if (outcome.errors !== undefined) (errors ??= []).push(...outcome.errors);
        else if (slots !== undefined) slots[i] = outcome.value;
        else values![spec.owner]![spec.name] = outcome.value;
        continue;
      }
      const raw = rawOf(step.source, spec.key, ctx);
      const input = convert(spec, raw);
      if (input instanceof Failed) {
        (errors ??= []).push(...input.errors);
        continue;
      }
      if (step.accept !== undefined) {
        const value = step.accept(input);
        if (value !== MISS) {
          if (slots !== undefined) slots[i] = value;
          else values![spec.owner]![spec.name] = value;
          continue;
        }
      }
      const result = step.standard.validate(input);
      if (result instanceof Promise) {
        gathered ??= { values: (values ??= freshValues(owners)), errors: undefined, waiting: undefined, models: undefined };
        (gathered.waiting ??= []).push({ spec, input: sent(spec, raw), absent: input === undefined, result });
      } else if (result.issues === undefined) {
        if (slots !== undefined) slots[i] = result.value;
        else values![spec.owner]![spec.name] = result.value;
      } else {
        // Absent: not sent, or a list header with no value at all.
        errors = issueDetails(spec, sent(spec, raw), input === undefined, result.issues, errors ?? []);
      }
    }
    if (gathered === undefined && readBody === undefined) {
      if (errors !== undefined) throw new RequestValidationError(errors);
      return next(ctx, slots !== undefined ? build!(slots) : values!);
    }
    // A schema validates asynchronously: what was read at once goes to the owners' objects now,
    // in the inputs' order, and the rest as it settles, as without slots.
    if (slots !== undefined) fill(steps, slots, (values ??= freshValues(owners)));
    gathered ??= { values: values!, errors: undefined, waiting: undefined, models: undefined };
    // Nothing asynchronous has settled yet: these are still the first errors.
    gathered.errors = errors;
    if (readBody === undefined) return finish(ctx, gathered, next);
    const all = gathered;
    const then = (read: BodyRead): R | Promise<R> => {
      gatherBody(read, all, echo);
      return finish(ctx, all, next);
    };
    return sink === undefined ? readBody(ctx, then, undefined) : bodyInto!(ctx, then as BodyThen<undefined, ResponseLike>, undefined, sink);
  };
  return { read: read as ReadInputs, into: bodyInto === undefined ? undefined : (read as ReadInto) };
}

/**
 * The reader of a route whose inputs are all in its body: nothing to read before the body, so
 * what goes on from the body is one function of the route's, handed the request and `next`,
 * and a body of one input validated at once needs no Gathered (bench/apps/spry-model.ts's POST:
 * the closure made per request, its context and the Gathered, about 170 B).
 */
function bodyOnlyReader(readBody: ReadBody, bodyInto: ReadBodyInto | undefined, body: BodyPlan, owners: number, echo: Echo | undefined): { read: ReadInputs; into: ReadInto | undefined } {
  const fresh = (): Values => (echo !== undefined ? echoValues(owners) : owners === 1 ? [{}] : freshValues(owners));
  // The route's one owner holding its one body input, made as a literal of that one key: 32 B
  // against the 56 of `{}` given the key afterwards (bench/apps/spry-model.ts's POST).
  const own = owners === 1 && body.kind === "json" && !body.embed ? ownerOf(body.specs[0]!.name) : undefined;
  const then = <R>(read: BodyRead, ctx: Context, next: Next<R>): R | Promise<R> => {
    let all: Gathered;
    if (isOneInput(read)) {
      const { spec, input, absent } = read;
      const result: Validated = spec.schema["~standard"].validate(input);
      if (!(result instanceof Promise)) {
        if (result.issues !== undefined) throw new RequestValidationError(issueDetails(spec, input, absent, result.issues, []));
        let values: Values;
        if (own !== undefined) values = echo !== undefined ? [own(result.value), undefined!] : [own(result.value)];
        else (values = fresh())[spec.owner]![spec.name] = result.value;
        if (spec === echo?.spec) keepEcho(echo, input, result, values);
        return next(ctx, values);
      }
      all = { values: fresh(), errors: undefined, waiting: [{ spec, input, absent, result }], models: undefined };
    } else {
      all = { values: fresh(), errors: undefined, waiting: undefined, models: undefined };
      gatherBody(read, all, echo);
    }
    return finish(ctx, all, next);
  };
  return {
    read: (ctx, next) => readBody(ctx, then, next),
    into: bodyInto === undefined ? undefined : (ctx, next, sink) => bodyInto(ctx, then, next, sink),
  };
}

// `(v) => ({ name: v })`, or undefined where the name cannot be a literal's key or the host
// forbids generating code.
function ownerOf(name: string): ((value: unknown) => Record<string, unknown>) | undefined {
  // In an object literal, "__proto__" would set the prototype instead of a key.
  if (name === "__proto__") return undefined;
  const source = new GeneratedFunctions("v");
  return source.compile(source.add(`return { ${JSON.stringify(name)}: v };`));
}

// A body's inputs validated into the request's values (each its errors, or its value, or its
// promise), and the echoed one kept for the echo.
function gatherBody(read: BodyRead, all: Gathered, echo: Echo | undefined): void {
  if (isOneInput(read)) return takeBody(read.spec, read.input, read.absent, all, echo);
  if (read.errors !== undefined) (all.errors ??= []).push(...read.errors);
  for (const { spec, input, absent } of read.inputs) takeBody(spec, input, absent, all, echo);
}

function takeBody(spec: InputSpec, input: unknown, absent: boolean, gathered: Gathered, echo: Echo | undefined): void {
  const result = validate(spec, input, absent, gathered);
  if (spec === echo?.spec) keepEcho(echo, input, result, gathered.values);
}

/**
 * The owners' objects made from the slots of one request's inputs (each input's value at its
 * index), or undefined where a name cannot be written as a literal's key or the host forbids
 * generating code.
 */
function compileValues(steps: readonly Param[], owners: number): ((slots: readonly unknown[]) => Values) | undefined {
  const keys: string[][] = Array.from({ length: owners }, () => []);
  for (let i = 0; i < steps.length; i++) {
    const { owner, name } = steps[i]!.spec;
    // In an object literal, "__proto__" would set the prototype instead of a key.
    if (name === "__proto__") return undefined;
    keys[owner]!.push(`${JSON.stringify(name)}: s[${i}]`);
  }
  const source = new GeneratedFunctions("s");
  const entry = source.add(`return [${keys.map((fields) => `{ ${fields.join(", ")} }`).join(", ")}];`);
  return source.compile<(slots: readonly unknown[]) => Values>(entry);
}

// The slots filled so far into the owners' objects (a hole is an input not read yet, or failed).
function fill(steps: readonly Param[], slots: readonly unknown[], values: Values): void {
  for (let i = 0; i < steps.length; i++) {
    if (!(i in slots)) continue;
    const spec = steps[i]!.spec;
    values[spec.owner]![spec.name] = slots[i];
  }
}

function paramOf(spec: InputSpec): Param {
  const model = spec.model === undefined ? undefined : compileParamModel(spec.location as "query", spec.model, spec.schema);
  return { spec, standard: spec.schema["~standard"], accept: model === undefined ? compileAccept(spec.schema) : undefined, source: sourceOf(spec), model };
}

function sourceOf(spec: InputSpec): Source {
  switch (spec.location) {
    case "path":
      return PATH;
    case "query":
      return QUERY;
    case "header":
      return spec.list ? HEADER_LIST : HEADER;
    case "cookie":
      return COOKIE;
    case "body":
      throw new Error("Body inputs are read by the body reader");
  }
}

function rawOf(source: Source, key: string, ctx: Context): Raw {
  switch (source) {
    case PATH:
      return ctx.params[key];
    case QUERY:
      return ctx.query[key];
    case HEADER:
      return ctx.header(key);
    case HEADER_LIST:
      return ctx.headerValues(key);
    case COOKIE:
      return cookieValue(ctx.header("cookie"), key);
  }
}

// `reported` is what the client sent, which errors quote: "2", not 2, for a path parameter
// refused by its bound, as pydantic quotes it.
// The result, when the schema answered at once.
function validate(spec: InputSpec, input: unknown, absent: boolean, gathered: Gathered, reported: unknown = input): StandardSchemaV1.Result<unknown> | undefined {
  const result: Validated = spec.schema["~standard"].validate(input);
  if (result instanceof Promise) {
    (gathered.waiting ??= []).push({ spec, input: reported, absent, result });
    return undefined;
  }
  record(spec, reported, absent, result, gathered);
  return result;
}

/** The text (or, for a list, the texts) that a URL, header or cookie input was converted from. */
function sent(spec: InputSpec, raw: Raw): unknown {
  if (raw === undefined || spec.list) return typeof raw === "string" ? [raw] : raw;
  return typeof raw === "string" ? raw : raw[raw.length - 1];
}

// The body the model accepted, kept for the response only if the model gave it back as it
// was (validated at once, and no default filled in, nothing trimmed): see body/json-echo.ts.
// A value the compiled check took as sent holds the body's JSON by construction (AsSent), and
// is not compared: one walk of the body fewer (bench/apps/spry-model.ts).
function keepEcho(echo: Echo, input: unknown, result: StandardSchemaV1.Result<unknown> | undefined, values: Values): void {
  if (result === undefined || result.issues !== undefined) return;
  const accepted = result.value;
  if (accepted !== undefined && (result instanceof AsSent || echo.same(accepted, input))) values[echo.slot] = input as Record<string, unknown>;
}

// Every owner's values and, after them, the slot for the accepted body (undefined until kept).
function echoValues(owners: number): Values {
  if (owners === 1) return [{}, undefined!];
  const values: Values = new Array(owners + 1);
  for (let i = 0; i < owners; i++) values[i] = {};
  values[owners] = undefined!;
  return values;
}

function take(spec: InputSpec, outcome: ModelOutcome, gathered: Gathered): void {
  if (outcome.errors !== undefined) (gathered.errors ??= []).push(...outcome.errors);
  else gathered.values[spec.owner]![spec.name] = outcome.value;
}

// A loop, not Array.from({ length }, fn): that one walks a generic array-like per request.
function freshValues(owners: number): Values {
  const values: Values = new Array(owners);
  for (let i = 0; i < owners; i++) values[i] = {};
  return values;
}

function finish<R>(ctx: Context, gathered: Gathered, next: Next<R>): R | Promise<R> {
  if (gathered.waiting !== undefined || gathered.models !== undefined) return finishAsync(gathered).then((values) => next(ctx, values));
  if (gathered.errors !== undefined) throw new RequestValidationError(gathered.errors);
  return next(ctx, gathered.values);
}

function record(spec: InputSpec, input: unknown, absent: boolean, result: StandardSchemaV1.Result<unknown>, gathered: Gathered): void {
  if (result.issues === undefined) {
    gathered.values[spec.owner]![spec.name] = result.value;
    return;
  }
  gathered.errors = issueDetails(spec, input, absent, result.issues, gathered.errors ?? []);
}

/** Appends the 422 entries for a schema's issues about one input to `errors`, and gives it back. */
function issueDetails(spec: InputSpec, input: unknown, absent: boolean, issues: readonly StandardSchemaV1.Issue[], errors: ErrorDetail[]): ErrorDetail[] {
  for (const issue of issues) {
    const atRoot = issue.path === undefined || issue.path.length === 0;
    errors.push(absent && atRoot ? missing([...spec.loc]) : fromIssue(issue, [...spec.loc], input));
  }
  return errors;
}

async function finishAsync(gathered: Gathered): Promise<Values> {
  if (gathered.models !== undefined) await Promise.all(gathered.models);
  for (const { spec, input, absent, result } of gathered.waiting ?? []) {
    record(spec, input, absent, await result, gathered);
  }
  if (gathered.errors !== undefined) throw new RequestValidationError(gathered.errors);
  return gathered.values;
}
