import { parse as parseQuery } from "fast-querystring";
import type { Readable } from "node:stream";
import type { Context } from "../../toolkit/context.ts";
import { HTTPException } from "../../toolkit/exceptions.ts";
import type { FileOptions } from "../inputs/param.ts";
import type { BodyPlan } from "../inputs/plan.ts";
import { unsupported } from "./read-body.ts";
import { parseMediaType } from "./media-type.ts";
import { readMultipart, type FileRules } from "./multipart.ts";

export { MAX_FILES, MAX_FORM_FIELDS, MAX_PART_SIZE, SPOOL_THRESHOLD } from "../../toolkit/limits.ts";

/**
 * An uploaded file, as a handler receives it: in memory when small, in a temporary file
 * (`path`) past the app's `limits.spoolThreshold`. Either way it lasts until the response has
 * been sent; read or copy it before then.
 */
export interface UploadFile {
  /** The client's name for it, without any directory part. */
  readonly filename: string;
  /** The part's media type, without parameters; `text/plain` when the client sent none (RFC 7578). */
  readonly contentType: string;
  /** In bytes. */
  readonly size: number;
  /** Where it was spooled to disk, when it was larger than the spool threshold. */
  readonly path: string | undefined;
  bytes(): Promise<Uint8Array>;
  /** The content as UTF-8 text. */
  text(): Promise<string>;
  stream(): Readable;
}

/** Every value of every form field, in order: strings for fields, UploadFiles for files. */
export type FormFields = Map<string, (string | UploadFile)[]>;

/**
 * The text values of one form field, or undefined when it was not sent. As in FastAPI, a
 * single field sent empty counts as not sent, so that an HTML input left blank takes the
 * declared default rather than failing to convert.
 */
export function fieldTexts(raw: readonly (string | UploadFile)[] | undefined, list: boolean): string[] | undefined {
  const texts = raw?.filter((v): v is string => typeof v === "string");
  if (texts === undefined || texts.length === 0) return undefined;
  return list || texts[texts.length - 1] !== "" ? texts : undefined;
}

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
