/**
 * Settings an operator gives from outside the code: `spry run` flags and environment
 * variables. The app's limits read their environment variables here (the flags of `spry run`
 * set those variables, so that a flag reaches the app in its own process and every worker);
 * the server's read theirs through the CLI. One parser per unit, shared by both, so that a
 * value means the same wherever it is given.
 */

/** A value the operator gave that cannot be used: reported by the CLI in one line. */
export class SettingError extends Error {
  override readonly name = "SettingError";
}

const SIZE = /^(\d{1,15})\s*([kmg]i?b?|b)?$/i;
const MULTIPLIER: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes: `1048576`, `512k`, `1M`, `1MiB`, `2g` (binary units). */
export function parseSize(value: string, source: string): number {
  const match = SIZE.exec(value.trim());
  const bytes = match === null ? NaN : Number(match[1]) * MULTIPLIER[(match[2] ?? "").charAt(0).toLowerCase()]!;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) throw new SettingError(`${source} must be a size in bytes (e.g. 1048576, 512k, 1M), got ${JSON.stringify(value)}`);
  return bytes;
}

/** A positive whole number. Digits only: Number() would also take "", " 80", "0x50" and "1e3". */
export function parseCount(value: string, source: string, min = 1): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min) || !Number.isSafeInteger(n)) throw new SettingError(`${source} must be a whole number from ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** Seconds given, milliseconds returned: `5`, `0.5`. */
export function parseSeconds(value: string, source: string): number {
  if (!/^\d{1,9}(\.\d+)?$/.test(value)) throw new SettingError(`${source} must be a number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(Number(value) * 1000);
}

/** The environment variable's value, or undefined when it is unset or empty. */
export function fromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}
