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

// The pieces of a line that repeat from request to request, each escaped once: a route's
// `,"route":"..."` and a method's string. Bounded, since a client chooses the method.
const routePieces = new Map<string, string>();
const methodPieces = new Map<string, string>();
const PIECES = 256;

function piece(cache: Map<string, string>, key: string, make: (key: string) => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = make(key);
    if (cache.size < PIECES) cache.set(key, text);
  }
  return text;
}

const routePiece = (route: string) => `,"route":"${escaped(route)}"`;

// Date.now() as text, made once per millisecond: a 13-digit number is no small integer, and V8
// formats it anew each time.
let lastTime = -1;
let lastTimeText = "";

/**
 * A duration in tenths of a millisecond as JSON writes the number (3.1, 12), from integers:
 * the shortest form of a fraction is V8's slow path for numbers.
 */
function tenths(ms: number): string {
  const t = Math.round(ms * 10);
  const whole = Math.floor(t / 10);
  const tenth = t - whole * 10;
  return tenth === 0 ? `${whole}` : `${whole}.${tenth}`;
}

/**
 * The line pino would write for these fields (level 30, time, the fields), built directly:
 * pino's general serializer took about a fifth of /fast_task/'s CPU time per request, and a
 * JSON.stringify per string most of what was left of the line's cost (bench/HISTORY.md). Each
 * string is escaped once, the route's and the method's once for all their lines. No `msg`: it
 * would repeat the fields (method, path, status, duration, client) in about 80 of the line's
 * 270 bytes, bytes the kernel copies for every request; the readable message is for
 * `spry dev`'s lines (accessMessage).
 */
export function jsonLine(f: AccessFields, time: number): string {
  if (time !== lastTime) {
    lastTime = time;
    lastTimeText = `${time}`;
  }
  const route = f.route === undefined ? "" : piece(routePieces, f.route, routePiece);
  const method = f.method === undefined ? "" : piece(methodPieces, f.method, escaped);
  const bytes = f.bytes === undefined ? "" : `,"bytes":${f.bytes}`;
  const aborted = f.aborted ? ',"aborted":true' : "";
  return (
    `{"level":30,"time":${lastTimeText},"method":"${method}","path":"${f.path === undefined ? "" : escaped(f.path)}"${route},"status":${f.status},` +
    `"durationMs":${tenths(f.durationMs)}${bytes},"client":"${escaped(f.client)}","requestId":"${escaped(f.requestId)}","httpVersion":"${f.httpVersion}"${aborted}}\n`
  );
}
