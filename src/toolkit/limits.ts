/**
 * Per-request limits enforced by the toolkit, whichever server delivers the request.
 * Defaults and where they come from: docs/reliability.md (Fastify 5, Starlette, nginx).
 * Socket-level limits (head size, timeouts, keep-alive) belong to the server: see server/options.ts.
 */
export interface RequestLimits {
  /** Largest request body in bytes, counted after decompression. Over it: 413. */
  bodyLimit: number;
  /** Longest request target (path and query) in characters. Over it: 414. */
  maxUrlLength: number;
  /** Longest single path parameter in characters. Over it the route does not match: 404. */
  maxParamLength: number;
  /** Most query parameters. Over it: 413. */
  maxQueryKeys: number;
  /** Deepest nesting of a JSON body. Deeper: 400, found before parsing. */
  maxJsonDepth: number;
  /** Most form fields (not counting files) in one urlencoded or multipart body. Over it: 413. */
  maxFormFields: number;
  /** Most files in one multipart body. Over it: 413. */
  maxFiles: number;
  /** Largest non-file part of a multipart body, in bytes. Over it: 413. */
  maxPartSize: number;
  /** Uploaded files up to this many bytes stay in memory; larger ones are written to a temporary file. */
  spoolThreshold: number;
}

/** Starlette's max_fields, added after CVE-2023-30798. */
export const MAX_FORM_FIELDS = 1000;
/** Starlette's max_files. */
export const MAX_FILES = 100;
/** Starlette's max_part_size for non-file parts (CVE-2024-47874). */
export const MAX_PART_SIZE = 1024 * 1024;
/** Starlette's SpooledTemporaryFile max_size. */
export const SPOOL_THRESHOLD = 1024 * 1024;

export const defaultLimits: RequestLimits = {
  bodyLimit: 1024 * 1024,
  maxUrlLength: 8 * 1024,
  maxParamLength: 100,
  maxQueryKeys: 1000,
  maxJsonDepth: 128,
  maxFormFields: MAX_FORM_FIELDS,
  maxFiles: MAX_FILES,
  maxPartSize: MAX_PART_SIZE,
  spoolThreshold: SPOOL_THRESHOLD,
};
