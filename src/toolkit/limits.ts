import { fromEnv, parseCount, parseSeconds, parseSize } from "../common/settings.ts";

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
