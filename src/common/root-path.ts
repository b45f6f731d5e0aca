import { fromEnv, SettingError } from "./settings.ts";

/** Sets the app's root path for apps that set none (`spry run --root-path` sets it). */
export const ROOT_PATH_ENV = "SPRY_ROOT_PATH";

/**
 * A root path as FastAPI takes it: the prefix a proxy serves the app under, `/api/v1`. It must
 * start with a slash; a trailing slash is dropped, and `/` alone means none.
 */
export function parseRootPath(value: string, source: string): string {
  if (!value.startsWith("/") || /[\s?#]|\/\//.test(value)) throw new SettingError(`${source} must be a path such as /api/v1, got ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, "");
}

export function rootPathFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = fromEnv(ROOT_PATH_ENV, env);
  return value === undefined ? undefined : parseRootPath(value, ROOT_PATH_ENV);
}
