import { createRequire } from "node:module";
import type { pino as createPino } from "pino";
import type pinoPretty from "pino-pretty";
import { inDevMode } from "./dev-mode.ts";
import { currentRequestId } from "./request-facts.ts";
import { stdoutLines } from "./stdout-lines.ts";

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

type Level = keyof Logger;

/**
 * spry's default logger: pino, JSON lines on stdout (readable ones under `spry dev`), level
 * from `LOG_LEVEL` (default info).
 * pino is loaded with the first line logged, not before: loading it reads the host name,
 * which Deno allows only with `--allow-sys`, and an app that logs nothing should not need it.
 */
export function createLogger(): Logger {
  const level = process.env.LOG_LEVEL ?? "info";
  let target: Logger | undefined;
  const line =
    (name: Level) =>
    (fields: object, message?: string): void => {
      const logger = (target ??= load(level));
      if (message === undefined) logger[name](fields);
      else logger[name](fields, message);
    };
  return { info: line("info"), warn: line("warn"), error: line("error"), debug: line("debug") };
}

function load(level: string): Logger {
  if (!mayReadHostname()) return jsonLines(level);
  const { pino } = createRequire(import.meta.url)("pino") as { pino: typeof createPino };
  // Under `spry dev`, readable lines (pino-pretty) rather than JSON.
  if (inDevMode()) return pino({ level, base: undefined }, prettyDestination());
  // On Node, into the process's one stdout writer, with the access lines (stdout-lines.ts):
  // written asynchronously and in batches, never lost to the process's end, and never a wait
  // for a collector that stops reading (pino's own default writes synchronously, so the next
  // line logged would stop the event loop until it read again: docs/reliability.md row 46).
  return onNode() ? pino({ level, base: undefined }, { write: (line: string) => stdoutLines().add(line) }) : pino({ level, base: undefined });
}

function onNode(): boolean {
  return !("Bun" in globalThis) && !("Deno" in globalThis);
}

/** Where pino writes a line: the one method it calls. */
export interface LineDestination {
  write(line: string): void;
}

let pretty: LineDestination | undefined;

/**
 * The one readable destination of this process, shared by the app's and the server's loggers
 * under `spry dev`: each JSON line pino writes is made readable (pino-pretty's formatter, in
 * this thread, as it is written) and goes to the process's one stdout writer, with its bound
 * (stdout-lines.ts): a terminal or pipe that stops taking lines (a paused terminal, a `| less`
 * not read) leaves the server answering, where pino-pretty's own synchronous stream stopped
 * the event loop at the next line until it read again (docs/reliability.md row 46); and what
 * is gathered is written before the process exits.
 */
export function prettyDestination(): LineDestination {
  const build = (): LineDestination => {
    const prettify = createRequire(import.meta.url)("pino-pretty") as typeof pinoPretty;
    const options = { colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l" };
    // On Bun and Deno, as their JSON lines are (load()), pino-pretty's own stream, written as they come.
    if (!onNode()) return prettify({ ...options, sync: true });
    const format = prettify.prettyFactory(options);
    const lines = stdoutLines();
    return { write: (line: string) => lines.add(format(line)) };
  };
  return (pretty ??= build());
}

interface DenoPermissions {
  permissions: { querySync(descriptor: { name: "sys"; kind: "hostname" }): { state: string } };
}

// Asked, not tried: under Deno, trying would prompt on a terminal and throw everywhere else.
function mayReadHostname(): boolean {
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  return deno === undefined || deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted";
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * pino's line shape (`level` as a number, `time`, the fields, `msg`; an error as type, message
 * and stack), written without pino, for Deno without `--allow-sys`. Hand-written because pino
 * cannot be loaded there at all; the lines read the same to whatever collects them.
 */
function jsonLines(level: string): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info!;
  const line =
    (name: Level) =>
    (fields: object, message?: string): void => {
      const value = LEVELS[name]!;
      if (value < threshold) return;
      const record = { level: value, time: Date.now(), ...fields, ...(message === undefined ? {} : { msg: message }) };
      process.stdout.write(`${JSON.stringify(record, withErrors)}\n`);
    };
  return { info: line("info"), warn: line("warn"), error: line("error"), debug: line("debug") };
}

function withErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { ...value, type: value.name, message: value.message, stack: value.stack };
}

/**
 * `logger` with the id of the request being handled (currentRequestId()) added to each line
 * logged while handling it, as `requestId`: the app's own lines, spry's about the request (its
 * 500, a teardown or a background task that failed) and those of anything below them. A line
 * that names a request id already keeps its own; outside a request, lines are passed as they are.
 */
export function withRequestIds(logger: Logger): Logger {
  const line =
    (name: Level) =>
    (fields: object, message?: string): void => {
      const requestId = currentRequestId();
      const withId = requestId === undefined || "requestId" in fields ? fields : { ...fields, requestId };
      if (message === undefined) logger[name](withId);
      else logger[name](withId, message);
    };
  return { info: line("info"), warn: line("warn"), error: line("error"), debug: line("debug") };
}

/** A logger that drops everything, for `logger: false`. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};
