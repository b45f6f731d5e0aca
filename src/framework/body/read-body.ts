import type { Context } from "../context.ts";
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

export interface BodyRead {
  readonly inputs: readonly BodyInput[];
  readonly errors: ErrorDetail[] | undefined;
}

/**
 * Reads one request's body and hands what it read to `then`, in the same promise job: the
 * input reader goes on from there without a promise of its own in between.
 */
export type ReadBody = <T>(ctx: Context, then: (read: BodyRead) => T | Promise<T>) => Promise<T>;

/** Compiles how one route reads its body: JSON, or form fields and files. */
export function compileBodyReader(plan: BodyPlan): ReadBody {
  return plan.kind === "json" ? jsonReader(plan) : formReader(plan);
}

function jsonReader(plan: BodyPlan): ReadBody {
  const only = plan.specs[0]!;
  // The last Content-Type this route found to be JSON. Parsing one (a split, lower-casing, two
  // regular expressions, a parameters object) costs about a microsecond, and a route's clients
  // send the same one request after request; the answer depends on the text alone.
  let json: string | undefined;
  // No async function: its own promise and the resumption after `await` cost about 0.25 µs of
  // this reader's 3.6-3.9 µs on bench/apps/spry-model.ts's body (parsing included); what fails
  // is still a rejection, as before.
  return (ctx, then) => {
    const contentType = ctx.header("content-type");
    // Refused before a byte is read. A request with no content type is read as JSON, as FastAPI
    // does; browsers never send one without it, so this opens no cross-site path.
    if (contentType !== undefined && contentType !== json) {
      try {
        if (!isJson(parseMediaType(contentType))) return Promise.reject(unsupported(contentType, "application/json"));
      } catch (error) {
        return Promise.reject(error);
      }
      json = contentType;
    }
    return ctx.body().then((bytes) => then(jsonInputs(plan, only, bytes, ctx.config.limits.maxJsonDepth)));
  };
}

function jsonInputs(plan: BodyPlan, only: InputSpec, bytes: Uint8Array, maxDepth: number): BodyRead {
  const parsed = bytes.byteLength === 0 ? undefined : parseJson(bytes, maxDepth);
  // A JSON null is no body, as in FastAPI: "Field required", unless the schema takes null.
  if (!plan.embed) return { inputs: [{ spec: only, input: parsed, absent: parsed === undefined || parsed === null }], errors: undefined };
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
  return async (ctx, then) => {
    const fields = await readForm(ctx);
    return then(await fromFields(plan, fields, models));
  };
}

// Form fields arrive as strings, converted like query parameters; files are passed as they are.
async function fromFields(plan: BodyPlan, fields: FormFields, models: Map<InputSpec, ReadFormModel | undefined>): Promise<BodyRead> {
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
