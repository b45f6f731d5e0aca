import { createRequire } from "node:module";
import type { pino as Pino } from "pino";

// Loaded when the first access logger is made, not with the server: `--no-access-log` (or a
// logger of the app's own) leaves pino and its streams, some 5 MB of RSS, unloaded.
export function loadPino(): typeof Pino {
  return (createRequire(import.meta.url)("pino") as { pino: typeof Pino }).pino;
}

/** One request's access line, as logLine() (access-log.ts) gathers it. */
export interface AccessFields {
  method: string | undefined;
  path: string | undefined;
  route: string | undefined;
  status: number;
  durationMs: number;
  bytes: number | undefined;
  client: string;
  requestId: string;
  httpVersion: string;
  aborted?: true;
}

/** The line's message, as Uvicorn writes it: `127.0.0.1:52314 - "GET /items/1 HTTP/1.1" 200 3.1 ms`. */
export function accessMessage(f: AccessFields): string {
  return `${f.client} - "${f.method} ${f.path} HTTP/${f.httpVersion}" ${f.status} ${f.durationMs.toFixed(1)} ms${f.aborted ? " (client left)" : ""}`;
}

// What JSON.stringify would escape (quotes, backslashes, control characters, lone surrogates):
// strings without any, nearly all of them, are copied as they are.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `text` as a JSON string's contents, without the quotes. */
function escaped(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

/**
 * The line pino would write for these fields (level 30, time, the fields), built directly:
 * pino's general serializer took about a fifth of /fast_task/'s CPU time per request, and a
 * JSON.stringify per string most of what was left of the line's cost (bench/README.md). Each
 * string is escaped once. No `msg`: it would repeat the fields (method, path, status, duration,
 * client) in about 80 of the line's 270 bytes, bytes the kernel copies for every request; the
 * readable message is for `spry dev`'s lines (accessMessage).
 */
export function jsonLine(f: AccessFields, time: number): string {
  const route = f.route === undefined ? "" : `,"route":"${escaped(f.route)}"`;
  const bytes = f.bytes === undefined ? "" : `,"bytes":${f.bytes}`;
  const aborted = f.aborted ? ',"aborted":true' : "";
  return (
    `{"level":30,"time":${time},"method":"${f.method === undefined ? "" : escaped(f.method)}","path":"${f.path === undefined ? "" : escaped(f.path)}"${route},"status":${f.status},` +
    `"durationMs":${f.durationMs}${bytes},"client":"${escaped(f.client)}","requestId":"${escaped(f.requestId)}","httpVersion":"${f.httpVersion}"${aborted}}\n`
  );
}

/**
 * Lines gathered into chunks of at least `size` characters before `out` gets them, and handed
 * over at least every `interval` ms. Gathered here rather than by pino's destination, whose
 * write() measures the whole pending chunk in bytes on every call (a cost that grows with the
 * chunk, paid per line).
 */
export class LineBatches {
  readonly #out: (text: string) => void;
  readonly #size: number;
  #lines: string[] = [];
  #length = 0;

  constructor(out: (text: string) => void, size: number) {
    this.#out = out;
    this.#size = size;
  }

  add(line: string): void {
    this.#lines.push(line);
    this.#length += line.length;
    if (this.#length >= this.#size) this.flush();
  }

  flush(): void {
    if (this.#length === 0) return;
    const text = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join("");
    this.#lines = [];
    this.#length = 0;
    this.#out(text);
  }
}

/** Where lines wait for a slow reader, at most: past it, lines are dropped and counted. */
export const MAX_PENDING = 16 * 1024 * 1024;

/**
 * Lines for the file descriptor `fd`, gathered in batches of `batch` characters and written
 * asynchronously (pino's destination, on libuv's thread pool), so that a reader that falls
 * behind never stalls the event loop. At most `maxPending` bytes wait for it: a stalled
 * collector must not grow the process without bound (docs/reliability.md row 46), so lines
 * past that are dropped, counted, and reported by one warning line once the writes go through.
 */
export function lineWriter(fd: number, { batch = 16 * 1024, maxPending = MAX_PENDING } = {}): { lines: LineBatches; flushSync(): void } {
  const destination = loadPino().destination({ dest: fd, sync: false, minLength: 0, maxWrite: 64 * 1024, maxLength: maxPending });
  // Once a chunk is refused, lines are counted rather than offered until everything pending
  // has been written (pino's destination says "drain"): then one line tells how many were lost.
  let dropped = 0;
  let stalled = false;
  destination.on("drop", () => (stalled = true));
  destination.on("drain", () => {
    if (!stalled) return;
    stalled = false;
    destination.write(`{"level":40,"time":${Date.now()},"dropped":${dropped},"msg":"${dropped} access lines were dropped: stdout was not read fast enough"}\n`);
    dropped = 0;
  });
  const lines = new LineBatches((text) => {
    if (!stalled) destination.write(text);
    if (stalled) dropped += text.split("\n").length - 1;
  }, batch);
  return {
    lines,
    flushSync() {
      lines.flush();
      destination.flushSync();
    },
  };
}
