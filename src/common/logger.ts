import { pino } from "pino";

/**
 * The logging interface spry writes to: pino's call shape, `(fields, message)`.
 * Any pino logger fits; tests pass a small recorder.
 */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  debug(fields: object, message?: string): void;
}

/** spry's default logger: pino, JSON lines on stdout, level from `LOG_LEVEL` (default info). */
export function createLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? "info", base: undefined });
}

/** A logger that drops everything, for `logger: false`. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};
