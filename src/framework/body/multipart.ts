import { createRequire } from "node:module";
import type busboyType from "busboy";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import type { Context } from "../context.ts";
import { HTTPException } from "../../common/http-exception.ts";
import type { FormFields } from "./fields.ts";
import type { MediaType } from "./media-type.ts";
import { spool, SpoolDir, type SpooledUpload } from "./upload-file.ts";

// Loaded with the first multipart body, so apps that take none do not carry it.
const require = createRequire(import.meta.url);
let busboy: typeof busboyType | undefined;

/** The file inputs a route declares, by field name, with each one's own size cap. */
export type FileRules = ReadonlyMap<string, { readonly maxSize: number | undefined }>;

/**
 * Browsers and HTTP clients send no preamble before the first boundary; RFC 2046 allows one,
 * so a little is tolerated, but a body that does not reach its first boundary within this many
 * bytes is refused at once instead of being scanned to its end (docs/reliability.md row 16).
 */
export const MAX_PREAMBLE = 1024;

/**
 * Reads a `multipart/form-data` body with busboy as it streams in, under the app's limits:
 * fields, files and non-file part size (413), a missing boundary or a malformed body (400).
 * Files of declared file inputs are spooled (see upload-file.ts); files under other names
 * are read past and dropped. On any failure reading stops at once.
 */
export async function readMultipart(ctx: Context, type: MediaType, contentType: string, rules: FileRules): Promise<FormFields> {
  const boundary = type.parameters.boundary;
  if (boundary === undefined || boundary === "") throw refused(400, "Missing boundary in multipart/form-data");
  const limits = ctx.config.limits;
  busboy ??= require("busboy") as typeof busboyType;
  let parser: busboyType.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      limits: {
        fields: limits.maxFormFields,
        files: limits.maxFiles,
        parts: limits.maxFormFields + limits.maxFiles,
        // busboy marks a value truncated when it reaches the limit, so one more byte lets a
        // part of exactly maxPartSize through.
        fieldSize: limits.maxPartSize + 1,
      },
    });
  } catch (error) {
    throw refused(400, `Invalid multipart/form-data content type: ${(error as Error).message}`);
  }
  const source = ctx.bodyStream();
  const dir = new SpoolDir();
  // Registered before a byte is read, so that whatever ends the request removes what was spooled.
  ctx.scope.defer(() => dir.remove());
  const opening = new OpeningBoundary(boundary);

  return new Promise<FormFields>((resolve, reject) => {
    const entries: { name: string; value: string | Promise<SpooledUpload> }[] = [];
    const reading = new Set<Readable>();
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      source.destroy();
      opening.destroy();
      parser.destroy();
      for (const stream of reading) stream.destroy();
      reject(error);
    };

    source.on("error", fail);
    opening.on("error", fail);
    parser.on("error", (error: Error) => {
      if (settled) return;
      // An empty body has no boundary at all: it is a form without fields.
      if (opening.bytes > 0) return fail(invalid(error));
      settled = true;
      resolve(new Map());
    });
    parser.on("fieldsLimit", () => fail(tooLarge(`Too many form fields (limit ${limits.maxFormFields})`)));
    parser.on("filesLimit", () => fail(tooLarge(`Too many files (limit ${limits.maxFiles})`)));
    parser.on("partsLimit", () => fail(tooLarge(`Too many parts (limit ${limits.maxFormFields + limits.maxFiles})`)));
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(tooLarge(`Form field "${name}" is larger than ${limits.maxPartSize} bytes`));
      if (name !== undefined) entries.push({ name, value });
    });
    parser.on("file", (name, stream, info) => {
      const rule = name === undefined ? undefined : rules.get(name);
      // A browser sends a file input left empty as a part with filename="" (which busboy
      // reports as none): not a file. So is a part with no filename at all.
      if (rule === undefined || !info.filename) return void stream.resume();
      reading.add(stream);
      const upload = spool(stream, {
        filename: info.filename,
        contentType: info.mimeType,
        threshold: limits.spoolThreshold,
        maxSize: rule.maxSize,
        dir,
      });
      upload.then(() => reading.delete(stream), fail);
      entries.push({ name, value: upload });
    });
    parser.on("close", () => {
      if (!settled) collect(entries, resolve, fail);
    });
    source.pipe(opening).pipe(parser);
  });
}

type Entries = readonly { name: string; value: string | Promise<SpooledUpload> }[];

// Every file has been handed to its spool by now; the last writes may still be on their way.
function collect(entries: Entries, resolve: (fields: FormFields) => void, fail: (error: unknown) => void): void {
  Promise.all(entries.map((e) => e.value)).then((values) => {
    const fields: FormFields = new Map();
    entries.forEach(({ name }, i) => {
      const list = fields.get(name);
      if (list === undefined) fields.set(name, [values[i]!]);
      else list.push(values[i]!);
    });
    resolve(fields);
  }, fail);
}

// The rest of the body is never read, so the connection cannot be reused.
function refused(status: 400 | 413, detail: string): HTTPException {
  return new HTTPException(status, detail, { connection: "close" });
}

function tooLarge(detail: string): HTTPException {
  return refused(413, detail);
}

const REASONS: Record<string, string> = {
  "Malformed part header": "a part's header is malformed",
  "Unexpected end of form": "it ends before its closing boundary",
  "Unexpected end of file": "it ends before its closing boundary",
};

function invalid(error: Error): HTTPException {
  return refused(400, `Invalid multipart body: ${REASONS[error.message] ?? error.message}`);
}

/** Passes the body through once its first boundary has been seen within MAX_PREAMBLE bytes. */
class OpeningBoundary extends Transform {
  readonly #delimiter: Buffer;
  #head: Buffer | undefined = Buffer.alloc(0);
  bytes = 0;

  constructor(boundary: string) {
    super();
    this.#delimiter = Buffer.from(`--${boundary}`, "latin1");
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.#head === undefined) return done(null, chunk);
    const head = Buffer.concat([this.#head, chunk]);
    const at = head.indexOf(this.#delimiter);
    if (at !== -1 && at <= MAX_PREAMBLE) {
      this.#head = undefined;
      return done(null, head);
    }
    if (head.length >= MAX_PREAMBLE + this.#delimiter.length) {
      return done(refused(400, `Invalid multipart body: no boundary within its first ${MAX_PREAMBLE} bytes`));
    }
    this.#head = head;
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.#head !== undefined && this.bytes > 0) return done(refused(400, "Invalid multipart body: no boundary found"));
    done();
  }
}
