import type { Context } from "../../toolkit/context.ts";
import { HTTPException } from "../../toolkit/exceptions.ts";
import type { BodyPlan, InputSpec } from "../inputs/plan.ts";
import { convert, Failed } from "../inputs/read.ts";
import type { ErrorDetail } from "../validation-error.ts";
import { readForm, type FormFields } from "./form.ts";
import { parseJson } from "./json.ts";
import { isJson, parseMediaType } from "./media-type.ts";

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

export type ReadBody = (ctx: Context) => Promise<BodyRead>;

/** Compiles how one route reads its body: JSON, or form fields and files. */
export function compileBodyReader(plan: BodyPlan): ReadBody {
  return plan.kind === "json" ? jsonReader(plan) : formReader(plan);
}

function jsonReader(plan: BodyPlan): ReadBody {
  const only = plan.specs[0]!;
  return async (ctx) => {
    const contentType = ctx.header("content-type");
    // Refused before a byte is read. A request with no content type is read as JSON, as FastAPI
    // does; browsers never send one without it, so this opens no cross-site path.
    if (contentType !== undefined && !isJson(parseMediaType(contentType))) throw unsupported(contentType, "application/json");
    const bytes = await ctx.body();
    const parsed = bytes.byteLength === 0 ? undefined : parseJson(bytes);
    if (!plan.embed) return { inputs: [{ spec: only, input: parsed, absent: parsed === undefined }], errors: undefined };
    if (parsed !== undefined && !isPlainObject(parsed)) {
      return { inputs: [], errors: [{ type: "dict_type", loc: ["body"], msg: "Input should be a valid dictionary", input: parsed }] };
    }
    const fields = parsed as Record<string, unknown> | undefined;
    const inputs = plan.specs.map((spec): BodyInput => {
      const input = fields === undefined || !Object.hasOwn(fields, spec.key) ? undefined : fields[spec.key];
      return { spec, input, absent: input === undefined };
    });
    return { inputs, errors: undefined };
  };
}

function formReader(plan: BodyPlan): ReadBody {
  return async (ctx) => {
    const fields = await readForm(ctx, plan);
    return fromFields(plan, fields);
  };
}

// Form fields arrive as strings, converted like query parameters; files are passed as they are.
function fromFields(plan: BodyPlan, fields: FormFields): BodyRead {
  const inputs: BodyInput[] = [];
  let errors: ErrorDetail[] | undefined;
  for (const spec of plan.specs) {
    const raw = fields.get(spec.key);
    if (spec.kind === "file") {
      const files = raw?.filter((v) => typeof v !== "string");
      const input = files === undefined || files.length === 0 ? undefined : spec.list ? files : files[files.length - 1];
      inputs.push({ spec, input, absent: input === undefined });
      continue;
    }
    const texts = raw?.filter((v): v is string => typeof v === "string");
    const input = convert(spec, texts === undefined || texts.length === 0 ? undefined : texts);
    if (input instanceof Failed) (errors ??= []).push(...input.errors);
    else inputs.push({ spec, input, absent: input === undefined });
  }
  return { inputs, errors };
}

export function unsupported(contentType: string, expected: string): HTTPException {
  return new HTTPException(415, `Unsupported Media Type: expected ${expected}, got ${JSON.stringify(contentType.slice(0, 100))}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
