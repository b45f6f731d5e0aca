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
// strings without any, nearly all of them, are copied as they are. (A loop over the characters
// instead cost twice as many instructions, callgrind, bench/HISTORY.md: the request id is a
// concatenation, which each charCodeAt walks.)
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `text` as a JSON string's contents, without the quotes. */
function escaped(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

// The last path that needed no escaping: a busy route's lines repeat their path, and comparing
// with it costs less than the escape test (callgrind, bench/http-callgrind.mjs `spry-log`).
let plainPath = "";

function escapedPath(path: string): string {
  if (path === plainPath) return path;
  if (NEEDS_ESCAPE.test(path)) return JSON.stringify(path).slice(1, -1);
  return (plainPath = path);
}

// The pieces of a line that repeat from request to request, each escaped once, with the text
// around them: a method's `,"method":"GET","path":"`, a route's `","route":"..."`, a status's
// `,"status":200,"durationMs":`, a client's (a connection's) `,"client":"...","requestId":"`, an
// HTTP version's `","httpVersion":"1.1"`. Each line is then about 15 strings joined, not 30.
// Bounded, since a client chooses the method, the version and its port: a full cache starts anew.
const methodPieces = new Map<string, string>();
const routePieces = new Map<string, string>();
// By status code (100 to 999, what node:http sends).
const statusPieces: string[] = [];
const clientPieces = new Map<string, string>();
const versionPieces = new Map<string, string>();
const PIECES = 256;

function piece<K>(cache: Map<K, string>, key: K, make: (key: K) => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = make(key);
    if (cache.size >= PIECES) cache.clear();
    cache.set(key, text);
  }
  return text;
}

const methodPiece = (method: string) => `,"method":"${escaped(method)}","path":"`;
const routePiece = (route: string) => `","route":"${escaped(route)}"`;
const statusPiece = (status: number) => `,"status":${status},"durationMs":`;
const clientPiece = (client: string) => `,"client":"${escaped(client)}","requestId":"`;
const versionPiece = (version: string) => `","httpVersion":"${escaped(version)}"`;
// The line's end for HTTP/1.1, whole: one string fewer to join.
const HTTP11_END = `${versionPiece("1.1")}}\n`;

function statusText(status: number): string {
  if (!(status >= 100 && status <= 999 && Number.isInteger(status))) return statusPiece(status);
  return (statusPieces[status] ??= statusPiece(status));
}

// The line's start with Date.now(), made once per millisecond, from the seconds and the
// milliseconds as small integers: a 13-digit number is none, and V8 formats it anew each time.
// With it, the method's piece of the last line: most lines of a millisecond share their method.
let lastTime = -1;
let lastTimeText = "";
let lastMethod: string | undefined;
let lastStart = "";

function lineStart(time: number, method: string | undefined): string {
  if (time === lastTime && method === lastMethod) return lastStart;
  lastMethod = method;
  return (lastStart = timeText(time) + (method === undefined ? ',"method":"","path":"' : piece(methodPieces, method, methodPiece)));
}

function timeText(time: number): string {
  if (time === lastTime) return lastTimeText;
  lastTime = time;
  const seconds = (time / 1000) | 0;
  const ms = time - seconds * 1000;
  // Until 2038, when the seconds outgrow 31 bits; then (and for any odd time) as it is.
  const digits = time > 0 && time < 2 ** 31 * 1000 && Number.isInteger(time) ? `${seconds}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}` : `${time}`;
  return (lastTimeText = `{"level":30,"time":${digits}`);
}

/**
 * A duration in tenths of a millisecond as JSON writes the number (3.1, 12), from integers:
 * the shortest form of a fraction is V8's slow path for numbers.
 */
function tenths(ms: number): string {
  const t = Math.round(ms * 10);
  // As 31-bit integers (any duration under 59 hours), whose text V8 keeps in a cache, rather than
  // heap numbers formatted anew each time.
  if (t < 2 ** 31) {
    const whole = (t / 10) | 0;
    const tenth = (t | 0) - whole * 10;
    return tenth === 0 ? `${whole}` : `${whole}.${tenth}`;
  }
  const whole = Math.floor(t / 10);
  const tenth = t - whole * 10;
  return tenth === 0 ? `${whole}` : `${whole}.${tenth}`;
}

/**
 * The line pino would write for these fields (level 30, time, the fields), built directly:
 * pino's general serializer took about a fifth of /fast_task/'s CPU time per request, and a
 * JSON.stringify per string most of what was left of the line's cost (bench/HISTORY.md). Each
 * string is escaped once, the pieces that repeat (above) once for all their lines. No `msg`: it
 * would repeat the fields (method, path, status, duration, client) in about 80 of the line's
 * 270 bytes, bytes the kernel copies for every request; the readable message is for
 * `spry dev`'s lines (accessMessage). `plainId`: the request id is known to need no escaping
 * (one spry made, request-id.ts), and is not tested.
 */
export function jsonLine(f: AccessFields, time: number, plainId = false): string {
  const route = f.route === undefined ? '"' : piece(routePieces, f.route, routePiece);
  const bytes = f.bytes === undefined ? "" : `,"bytes":${f.bytes}`;
  const end = f.httpVersion === "1.1" && f.aborted !== true ? HTTP11_END : piece(versionPieces, f.httpVersion, versionPiece) + (f.aborted ? ',"aborted":true}\n' : "}\n");
  return (
    lineStart(time, f.method) + (f.path === undefined ? "" : escapedPath(f.path)) + route + statusText(f.status) + tenths(f.durationMs) + bytes +
    piece(clientPieces, f.client, clientPiece) + (plainId ? f.requestId : escaped(f.requestId)) + end
  );
}
