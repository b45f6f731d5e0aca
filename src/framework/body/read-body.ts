import type { Context } from "../context.ts";
import type { Sink } from "../../toolkit/endpoint-into.ts";
import type { ResponseLike } from "../../toolkit/response.ts";
import type { BodyPlan, InputSpec } from "../inputs/spec.ts";
import { convert, Failed } from "../inputs/convert.ts";
import type { ErrorDetail } from "../validation-error.ts";
import { fieldTexts, type FormFields, type UploadFile } from "./fields.ts";
import { compileFormReader } from "./form.ts";
import { compileFormModel, otherErrors, type ReadFormModel } from "./form-model.ts";
import { parseJson } from "./json.ts";
import { isJson, parseMediaType, unsupported } from "./media-type.ts";

/** One body input's value, ready for its schema. */
export interface BodyInput {
  readonly spec: InputSpec;
  readonly input: unknown;
  /** Nothing was sent for it, so a failure reads "Field required". */
  readonly absent: boolean;
}

/** What a body gave its inputs: a list, with the errors of those it could not read. */
export interface BodyInputs {
  readonly inputs: readonly BodyInput[];
  readonly errors: ErrorDetail[] | undefined;
}

/**
 * A body's inputs: a JSON body that is the one input (not embedded) gives that input alone,
 * without the list and its holder (97 B a request of bench/apps/spry-model.ts's POST).
 */
export type BodyRead = BodyInput | BodyInputs;

/** True when `read` is one input, not a list of them. */
export function isOneInput(read: BodyRead): read is BodyInput {
  return (read as Partial<BodyInputs>).inputs === undefined;
}

/**
 * What goes on from a body's read, with the request and what the reader was handed for it: a
 * route's one function, not a closure made per request (bench/apps/spry-model.ts's POST).
 */
export type BodyThen<A, T> = (read: BodyRead, ctx: Context, arg: A) => T | Promise<T>;

/**
 * Reads one request's body and hands what it read to `then`, with `arg`, in the same promise
 * job: the input reader goes on from there without a promise of its own in between.
 */
export type ReadBody = <A, T>(ctx: Context, then: BodyThen<A, T>, arg: A) => Promise<T>;

/**
 * As ReadBody, for the error layers' sink (toolkit/endpoint-into.ts): the response `then` makes
 * is handed to `sink` in the same promise job, and a body that fails to arrive or to parse, or
 * an error `then` throws, goes to `sink.fail`; so the endpoint's own promise and the layers'
 * `then` on it are not made (server-errors.ts settleInto). Undefined once delivered, else the
 * sink's promise.
 */
export type ReadBodyInto = <A>(ctx: Context, then: BodyThen<A, ResponseLike>, arg: A, sink: Sink<Context>) => Promise<void> | undefined;

/** One route's body reader, and for a JSON body the same for the sink. */
export interface BodyReaders {
  readonly read: ReadBody;
  readonly into: ReadBodyInto | undefined;
}

/** Compiles how one route reads its body: JSON, or form fields and files. */
export function compileBodyReader(plan: BodyPlan): BodyReaders {
  return plan.kind === "json" ? jsonReader(plan) : { read: formReader(plan), into: undefined };
}

function jsonReader(plan: BodyPlan): BodyReaders {
  const only = plan.specs[0]!;
  // The last Content-Type this route found to be JSON. Parsing one (a split, lower-casing, two
  // regular expressions, a parameters object) costs about a microsecond, and a route's clients
  // send the same one request after request; the answer depends on the text alone.
  let json: string | undefined;
  // Why the body is refused before a byte is read, or undefined. A request with no content
  // type is read as JSON, as FastAPI does; browsers never send one without it, so this opens
  // no cross-site path.
  const refusal = (contentType: string | undefined): unknown => {
    if (contentType === undefined || contentType === json) return undefined;
    try {
      if (!isJson(parseMediaType(contentType))) return unsupported(contentType, "application/json");
    } catch (error) {
      return error;
    }
    json = contentType;
    return undefined;
  };
  // No async function: its own promise and the resumption after `await` cost about 0.25 µs of
  // this reader's 3.6-3.9 µs on bench/apps/spry-model.ts's body (parsing included); what fails
  // is still a rejection, as before.
  const read: ReadBody = (ctx, then, arg) => {
    const refused = refusal(ctx.header("content-type"));
    if (refused !== undefined) return Promise.reject(refused);
    return ctx.body().then((bytes) => then(jsonInputs(plan, only, bytes, ctx.config.limits.maxJsonDepth), ctx, arg));
  };
  const into: ReadBodyInto = (ctx, then, arg, sink) => {
    const refused = refusal(ctx.header("content-type"));
    if (refused !== undefined) return sink.fail(ctx, refused);
    return ctx.body().then(
      (bytes) => {
        let response: ResponseLike | Promise<ResponseLike>;
        try {
          response = then(jsonInputs(plan, only, bytes, ctx.config.limits.maxJsonDepth), ctx, arg);
        } catch (error) {
          return sink.fail(ctx, error);
        }
        return sink.respond(ctx, response);
      },
      (error: unknown) => sink.fail(ctx, error),
    );
  };
  return { read, into };
}

function jsonInputs(plan: BodyPlan, only: InputSpec, bytes: Uint8Array, maxDepth: number): BodyRead {
  const parsed = bytes.byteLength === 0 ? undefined : parseJson(bytes, maxDepth);
  // A JSON null is no body, as in FastAPI: "Field required", unless the schema takes null.
  if (!plan.embed) return { spec: only, input: parsed, absent: parsed === undefined || parsed === null };
  // Embedded inputs are looked up by name; a body that is no object has none (FastAPI: each is missing).
  const fields = isPlainObject(parsed) ? parsed : undefined;
  const inputs = plan.specs.map((spec): BodyInput => {
    const input = fields === undefined || !Object.hasOwn(fields, spec.key) ? undefined : fields[spec.key];
    return { spec, input, absent: input === undefined || input === null };
  });
  return { inputs, errors: undefined };
}

function formReader(plan: BodyPlan): ReadBody {
  const readForm = compileFormReader(plan);
  const models = new Map(plan.specs.map((spec) => [spec, spec.kind === "form" ? compileFormModel(spec) : undefined]));
  return async (ctx, then, arg) => {
    const fields = await readForm(ctx);
    return then(await fromFields(plan, fields, models), ctx, arg);
  };
}

// Form fields arrive as strings, converted like query parameters; files are passed as they are.
async function fromFields(plan: BodyPlan, fields: FormFields, models: Map<InputSpec, ReadFormModel | undefined>): Promise<BodyInputs> {
  const inputs: BodyInput[] = [];
  let errors: ErrorDetail[] | undefined;
  for (const spec of plan.specs) {
    const model = models.get(spec);
    if (model !== undefined) {
      const read = model(fields);
      if (read.errors !== undefined) (errors ??= []).push(...read.errors, ...(await otherErrors(spec, read)));
      else inputs.push({ spec, input: read.input, absent: false });
      continue;
    }
    const raw = fields.get(spec.key);
    if (spec.kind === "file") {
      inputs.push(fileInput(spec, raw));
      continue;
    }
    const input = convert(spec, fieldTexts(raw, spec.list));
    if (input instanceof Failed) (errors ??= []).push(...input.errors);
    else inputs.push({ spec, input, absent: input === undefined });
  }
  return { inputs, errors };
}

// A text field sent where a file is declared is handed on too, so the schema can say so.
function fileInput(spec: InputSpec, raw: readonly (string | UploadFile)[] | undefined): BodyInput {
  const files = raw?.filter((v) => typeof v !== "string");
  const values = files === undefined || files.length === 0 ? raw?.filter((v) => v !== "") : files;
  const input = values === undefined || values.length === 0 ? undefined : spec.list ? values : values[values.length - 1];
  return { spec, input, absent: input === undefined };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
