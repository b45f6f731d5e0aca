import { parse as parseQuery } from "fast-querystring";
import type { Context } from "../context.ts";
import { HTTPException } from "../../common/http-exception.ts";
import type { FileOptions } from "../inputs/param.ts";
import type { BodyPlan } from "../inputs/spec.ts";
import type { FormFields } from "./fields.ts";
import { parseMediaType, unsupported } from "./media-type.ts";
import { readMultipart, type FileRules } from "./multipart.ts";

export type ReadForm = (ctx: Context) => Promise<FormFields>;

const FORM_TYPES = "application/x-www-form-urlencoded or multipart/form-data";

/** Compiles how one route reads an `application/x-www-form-urlencoded` or `multipart/form-data` body. */
export function compileFormReader(plan: BodyPlan): ReadForm {
  const rules: FileRules = new Map(
    plan.specs.filter((s) => s.kind === "file").map((s) => [s.key, { maxSize: (s.options as FileOptions).maxSize }]),
  );
  return async (ctx) => {
    const contentType = ctx.header("content-type");
    if (contentType === undefined) throw unsupported("", FORM_TYPES);
    const type = parseMediaType(contentType);
    if (type.essence === "application/x-www-form-urlencoded") return readUrlEncoded(ctx);
    if (type.essence === "multipart/form-data") return readMultipart(ctx, type, contentType, rules);
    throw unsupported(contentType, FORM_TYPES);
  };
}

async function readUrlEncoded(ctx: Context): Promise<FormFields> {
  const max = ctx.config.limits.maxFormFields;
  const text = Buffer.from(await ctx.body()).toString("utf8");
  const fields: FormFields = new Map();
  if (text === "") return fields;
  // n fields need n - 1 separators, so a body shorter than the cap cannot exceed it.
  if (text.length >= max && text.split("&", max + 1).length > max) {
    throw new HTTPException(413, `Too many form fields (limit ${max})`);
  }
  try {
    decodeURIComponent(text);
  } catch {
    throw new HTTPException(400, "Invalid percent-encoding in the form body");
  }
  const parsed = parseQuery(text) as Record<string, string | string[]>;
  for (const key in parsed) {
    const value = parsed[key]!;
    fields.set(key, typeof value === "string" ? [value] : value);
  }
  return fields;
}
