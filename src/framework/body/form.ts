import { parse as parseQuery } from "fast-querystring";
import type { Context } from "../../toolkit/context.ts";
import { HTTPException } from "../../toolkit/exceptions.ts";
import type { BodyPlan } from "../inputs/plan.ts";
import { unsupported } from "./read-body.ts";
import { parseMediaType } from "./media-type.ts";

/** An uploaded file, as a handler receives it. */
export interface UploadFile {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
}

/** Every value of every form field, in order: strings for fields, UploadFiles for files. */
export type FormFields = Map<string, (string | UploadFile)[]>;

/** Most form fields in one request (Starlette's max_fields). Over it: 413. */
export const MAX_FORM_FIELDS = 1000;

/** Reads an `application/x-www-form-urlencoded` or `multipart/form-data` body into its fields. */
export async function readForm(ctx: Context, _plan: BodyPlan): Promise<FormFields> {
  const contentType = ctx.header("content-type");
  if (contentType === undefined) throw unsupported("", "application/x-www-form-urlencoded or multipart/form-data");
  if (parseMediaType(contentType).essence === "application/x-www-form-urlencoded") return readUrlEncoded(ctx);
  throw unsupported(contentType, "application/x-www-form-urlencoded or multipart/form-data");
}

async function readUrlEncoded(ctx: Context): Promise<FormFields> {
  const text = Buffer.from(await ctx.body()).toString("utf8");
  const fields: FormFields = new Map();
  if (text === "") return fields;
  if (text.length >= MAX_FORM_FIELDS * 2 && text.split("&", MAX_FORM_FIELDS + 1).length > MAX_FORM_FIELDS) {
    throw new HTTPException(413, `Too many form fields (limit ${MAX_FORM_FIELDS})`);
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
