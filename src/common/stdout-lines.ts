import { fstatSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { fromEnv, parseSeconds } from "./settings.ts";
import { lineWriter, type LineBatches } from "./line-writer.ts";

/** Seconds an access line may wait to be written with others (`spry run --log-flush`). */
export const LOG_FLUSH_ENV = "SPRY_LOG_FLUSH";

/**
 * The default wait, in ms. Gathered, a busy server hands stdout one write per 16 KB (about 60
 * lines) instead of a write, and a system call, per request; a quiet one writes what it has
 * every tenth of a second, sooner than a collector ships it or a person at `tail -f` notices.
 */
export const DEFAULT_FLUSH_MS = 100;

/**
 * How long the process's end waits for a reader that takes nothing (a stalled collector) to
 * take the last lines: past it they are lost and the process ends, rather than hang past any
 * grace period until it is killed.
 */
export const EXIT_WAIT_MS = 2_000;

/** What a batch gathers before it is written, whatever the time: about 60 access lines. */
const BATCH = 16 * 1024;

/** The wait LOG_FLUSH_ENV sets, in ms; 0 writes each line as it comes. */
export function flushIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = fromEnv(LOG_FLUSH_ENV, env);
  return raw === undefined ? DEFAULT_FLUSH_MS : parseSeconds(raw, LOG_FLUSH_ENV);
}

/**
 * Lines for the file descriptor `fd` (lineWriter: asynchronous, bounded for a stalled reader),
 * none of them lost to the process's end: each waits at most `intervalMs` (0: none), what is
 * pending at exit is written synchronously before the process ends (a signal's graceful stop,
 * `--limit-max-requests`, a worker stopped by its primary, process.exit: each ends in "exit"),
 * and an uncaught exception that ends the process writes them, then a fatal line naming it.
 */
export function processLines(fd: number, intervalMs: number, nonBlocking = false): LineBatches {
  const writer = lineWriter(fd, { batch: intervalMs === 0 ? 0 : BATCH, nonBlocking });
  if (intervalMs > 0) setInterval(() => writer.lines.flush(), intervalMs).unref();
  const flushSync = () => {
    try {
      writer.flushSync(EXIT_WAIT_MS);
    } catch {
      // Nothing left to write to.
    }
  };
  // First of all "exit" listeners: pino flushes each destination it made at exit too, and
  // without the bound this one sets it would wait for a stalled reader forever.
  process.prependOnceListener("exit", flushSync);
  process.on("uncaughtExceptionMonitor", (error, origin) => {
    // With a handler of the app's own the process may go on: not fatal, nothing to say.
    if (process.listenerCount("uncaughtException") > 0) return;
    flushSync();
    try {
      // Written directly: a collector stalled at this point must not cost the line a place in
      // the queue the drop counting guards.
      writeSync(fd, fatalLine(error, origin, Date.now()));
    } catch {
      // Nothing left to write to.
    }
  });
  return writer.lines;
}

/** pino's fatal line for what was thrown (`err` as pino serializes an Error: type, message, stack). */
export function fatalLine(thrown: unknown, origin: string, time: number): string {
  const err = thrown instanceof Error ? { type: thrown.name, message: thrown.message, stack: thrown.stack } : { type: typeof thrown, message: String(thrown) };
  const what = origin === "unhandledRejection" ? "Unhandled promise rejection" : "Uncaught exception";
  return `${JSON.stringify({ level: 60, time, origin, err, msg: `${what}: the process exits` })}\n`;
}

let stdout: LineBatches | undefined;

/**
 * Whether a write to `fd` returns at once whatever its reader does: a pipe or socket, which
 * libuv opened non-blocking for process.stdout (EAGAIN when full), or a device that is not a
 * terminal (/dev/null). Not a file (a write may wait for the disk) nor a terminal (a paused
 * one holds writes).
 */
function neverBlocks(fd: number): boolean {
  try {
    const kind = fstatSync(fd);
    return kind.isFIFO() || kind.isSocket() || (kind.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}

/**
 * Stdout's processLines, one per process whatever the number of servers, waiting as
 * LOG_FLUSH_ENV says: the access lines and the app's own JSON lines (common/logger.ts) share
 * it, so that two writers never interleave their partial writes into one line.
 */
export function stdoutLines(): LineBatches {
  if (stdout !== undefined) return stdout;
  // Node's process.stdout puts a pipe or socket into non-blocking mode (libuv does, when it
  // opens one). Done first, so that a collector that stops reading gives the writes EAGAIN,
  // which pino's destination retries later and the process's end gives up on after
  // EXIT_WAIT_MS, instead of a write that blocks a thread, at exit the main one, until it reads.
  void process.stdout;
  // So made, a pipe or socket takes each batch's write directly (line-writer.ts); a file or a
  // terminal goes through the asynchronous writer.
  return (stdout = processLines(1, flushIntervalMs(), neverBlocks(1)));
}
