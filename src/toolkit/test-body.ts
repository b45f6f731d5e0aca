/** A form field's value as a test sends it; a list repeats the field. */
export type FormValue = string | number | boolean | readonly (string | number | boolean)[];

/** One uploaded file: a File or Blob, or its parts (the content as text or bytes). */
export type FileInit = Blob | { readonly filename: string; readonly content: string | Uint8Array; readonly contentType?: string };

/** What a test may send as a body besides JSON, form fields and files. */
export type BodyInit = string | Uint8Array | ArrayBuffer | Blob | URLSearchParams | FormData;

export interface BodyOptions {
  body?: BodyInit | undefined;
  json?: unknown;
  /** Form fields, sent `application/x-www-form-urlencoded`, or `multipart/form-data` with `files`. */
  form?: Readonly<Record<string, FormValue | undefined>> | undefined;
  /** Files by field name (a list sends several under one name), sent `multipart/form-data` with `form`. */
  files?: Readonly<Record<string, FileInit | readonly FileInit[] | undefined>> | undefined;
}

export interface EncodedBody {
  readonly bytes: Uint8Array | undefined;
  /** The content type the body implies, unless the test set one. */
  readonly contentType: string | undefined;
}

/**
 * Encodes a test request's body as a client would send it. Forms and multipart bodies are
 * serialized by the platform's own Request (URLSearchParams, FormData), so the bytes and the
 * boundary are what a browser or fetch() sends.
 */
export async function encodeBody(options: BodyOptions): Promise<EncodedBody> {
  const given = [options.body !== undefined, options.json !== undefined, options.form !== undefined || options.files !== undefined];
  if (given.filter(Boolean).length > 1) throw new TypeError("A test request has one body: give only one of body, json, or form and files");
  if (options.json !== undefined) return { bytes: new TextEncoder().encode(JSON.stringify(options.json)), contentType: "application/json" };
  if (options.files !== undefined) return serialize(multipart(options.form, options.files));
  if (options.form !== undefined) return serialize(urlEncoded(options.form));
  const body = options.body;
  if (body === undefined) return { bytes: undefined, contentType: undefined };
  if (typeof body === "string") return { bytes: new TextEncoder().encode(body), contentType: undefined };
  if (body instanceof Uint8Array) return { bytes: body, contentType: undefined };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), contentType: undefined };
  return serialize(body);
}

async function serialize(body: Blob | URLSearchParams | FormData): Promise<EncodedBody> {
  const request = new Request("http://testserver/", { method: "POST", body });
  return { bytes: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get("content-type") ?? undefined };
}

function urlEncoded(form: Readonly<Record<string, FormValue | undefined>>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of entries(form)) params.append(name, value);
  return params;
}

function multipart(form: Readonly<Record<string, FormValue | undefined>> | undefined, files: NonNullable<BodyOptions["files"]>): FormData {
  const data = new FormData();
  for (const [name, value] of entries(form ?? {})) data.append(name, value);
  for (const [name, value] of Object.entries(files)) {
    if (value === undefined) continue;
    for (const file of Array.isArray(value) ? value : [value as FileInit]) {
      if (file instanceof Blob) data.append(name, file, file instanceof File ? file.name : "blob");
      else data.append(name, new Blob([file.content as BlobPart], { type: file.contentType ?? "" }), file.filename);
    }
  }
  return data;
}

function* entries(form: Readonly<Record<string, FormValue | undefined>>): Generator<[string, string]> {
  for (const [name, value] of Object.entries(form)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) yield [name, String(item)];
    else yield [name, String(value)];
  }
}
