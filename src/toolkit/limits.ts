import { fromEnv, parseCount, parseSeconds, parseSize } from "../common/settings.ts";
import { HTTPException } from "../common/http-exception.ts";
import { bodyTooLarge } from "./request-body.ts";

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

/**
 * The environment variable that sets each limit for apps that do not set it themselves
 * (`new Spry({ limits })` wins); `spry run --body-limit 2M` and the other flags set these.
 */
export const LIMIT_ENV = {
  bodyLimit: { env: "SPRY_BODY_LIMIT", unit: "size" },
  maxUrlLength: { env: "SPRY_MAX_URL_LENGTH", unit: "count" },
  maxParamLength: { env: "SPRY_MAX_PARAM_LENGTH", unit: "count" },
  maxQueryKeys: { env: "SPRY_MAX_QUERY_KEYS", unit: "count" },
  maxJsonDepth: { env: "SPRY_MAX_JSON_DEPTH", unit: "count" },
  maxFormFields: { env: "SPRY_MAX_FORM_FIELDS", unit: "count" },
  maxFiles: { env: "SPRY_MAX_FILES", unit: "count" },
  maxPartSize: { env: "SPRY_MAX_PART_SIZE", unit: "size" },
  spoolThreshold: { env: "SPRY_SPOOL_THRESHOLD", unit: "size" },
} as const satisfies Record<keyof RequestLimits, { env: string; unit: "size" | "count" }>;

/** The limits set by environment variables (LIMIT_ENV); a bad value throws SettingError naming the variable. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<RequestLimits> {
  const limits: Partial<RequestLimits> = {};
  for (const key of Object.keys(LIMIT_ENV) as (keyof RequestLimits)[]) {
    const { env: name, unit } = LIMIT_ENV[key];
    const value = fromEnv(name, env);
    if (value !== undefined) limits[key] = unit === "size" ? parseSize(value, name) : parseCount(value, name);
  }
  return limits;
}

/** The environment variable for every handler's deadline, in seconds, for apps that set no `timeout`. */
export const TIMEOUT_ENV = "SPRY_TIMEOUT";

export function timeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = fromEnv(TIMEOUT_ENV, env);
  return value === undefined ? undefined : parseSeconds(value, TIMEOUT_ENV) || undefined;
}

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

/**
 * The request target's limits, checked once, before routing, whether or not the route reads
 * the query: an over-long target (414), a query string that cannot be decoded (400,
 * docs/reliability.md row 14), too many query parameters (413, row 15). On app.bun's routes,
 * where the host matched the path, they are checked when the query is first read instead
 * (fetch-request.ts, deferredSearch).
 */
export function checkTarget(path: string, search: string, limits: RequestLimits): HTTPException | undefined {
  if (path.length + search.length > limits.maxUrlLength) return new HTTPException(414, "URI Too Long");
  if (search === "") return undefined;
  if (search.includes("%") && !decodable(search)) return new HTTPException(400, "Invalid percent-encoding in the query string");
  // Each parameter costs at least two characters ("a&"), so short strings cannot exceed the cap.
  const max = limits.maxQueryKeys;
  if (search.length >= max * 2 && countParameters(search) > max) return new HTTPException(413, `Too many query parameters (limit ${max})`);
  return undefined;
}

/**
 * A declared Content-Length over the body limit in force (the route's, else the app's),
 * refused before a byte of the body is read (docs/reliability.md row 6). The only check of the
 * declared length: the body readers count what actually arrives.
 */
export function checkDeclaredLength(declared: string | undefined, limit: number): HTTPException | undefined {
  return declared === undefined || Number(declared) <= limit ? undefined : bodyTooLarge(limit);
}

/** Whether percent-escapes in `text` decode. */
export function decodable(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function countParameters(search: string): number {
  let count = 1;
  for (let i = search.indexOf("&"); i !== -1; i = search.indexOf("&", i + 1)) count++;
  return count;
}
