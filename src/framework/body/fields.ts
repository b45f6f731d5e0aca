import type { Readable } from "node:stream";

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
