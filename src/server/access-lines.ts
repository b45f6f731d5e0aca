import { performance } from "node:perf_hooks";

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
export function escaped(text: string): string {
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

/**
 * `text` as one flat string. V8 keeps a join of long strings as a pair of them (a cons string),
 * which every later join that contains it and the batch's write (line-writer.ts) walk again,
 * node by node, for every line: a profile of the access log (callgrind, bench/http-callgrind.mjs
 * `spry-log`) had those walks as its largest cost. The pieces kept for many lines are made
 * flat once, so that each is one leaf of the line.
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

// The pieces of a line that repeat from request to request, each escaped and made flat once,
// with the text around them: a method's `,"method":"GET","path":"` (with the time's last
// digits: see lineStart), a route's and status's `","route":"...","status":200,"durationMs":`,
// a connection's `,"bytes":164,"client":"...","requestId":"` (LinePieces), an HTTP version's
// `","httpVersion":"1.1"}` and the line's end. Each line is then about 8 strings joined, not 30.
// Bounded, since a client chooses the method, the version and its port: a full cache starts anew.
const methodPieces = new Map<string, string>();
// By route, then by status code.
const routePieces = new Map<string | undefined, Map<number, string>>();
const clientPieces = new Map<string, LinePieces>();
const versionPieces = new Map<string, string>();
const PIECES = 256;

function piece<K, V>(cache: Map<K, V>, key: K, make: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    if (cache.size >= PIECES) cache.clear();
    cache.set(key, value);
  }
  return value;
}

const methodPiece = (method: string | undefined) => `,"method":"${method === undefined ? "" : escaped(method)}","path":"`;
const routePiece = (route: string | undefined) => (route === undefined ? '"' : `","route":"${escaped(route)}"`);
const statusPiece = (status: number) => `,"status":${status},"durationMs":`;
const clientPiece = (client: string) => `,"client":"${escaped(client)}","requestId":"`;
const versionPiece = (version: string) => flat(`","httpVersion":"${escaped(version)}"}\n`);
// The line's end for HTTP/1.1, whole: one string fewer to join.
export const HTTP11_END = versionPiece("1.1");

/** The end of a line: its HTTP version, whether the client left, the newline. */
export function lineEnd(version: string, aborted: boolean | undefined): string {
  if (aborted === true) return `","httpVersion":"${escaped(version)}","aborted":true}\n`;
  return version === "1.1" ? HTTP11_END : piece(versionPieces, version, versionPiece);
}

// The route's piece and the status's, joined: the last pair's, and by route and status code.
let lastRoute: string | undefined;
let lastStatus = -1;
let lastRouteStatus = "";

function routeStatus(route: string | undefined, status: number): string {
  if (status === lastStatus && route === lastRoute) return lastRouteStatus;
  // Bounded, as node:http's are (100 to 999).
  if (!(status >= 100 && status <= 999 && Number.isInteger(status))) return routePiece(route) + statusPiece(status);
  const text = piece(piece(routePieces, route, () => new Map<number, string>()), status, () => flat(routePiece(route) + statusPiece(status)));
  lastRoute = route;
  lastStatus = status;
  return (lastRouteStatus = text);
}

// The last line's path with its route's and status's piece, as one string once it repeats
// (a busy route's lines repeat all three): one string fewer to join and to walk.
let joinedPath = "";
let joinedRoute = "";
let joined = "";
let joinedFlat = false;

function pathAndRoute(path: string | undefined, route: string | undefined, status: number): string {
  const text = routeStatus(route, status);
  if (path === undefined) return text;
  if (text === joinedRoute && path === joinedPath) {
    if (!joinedFlat) {
      joinedFlat = true;
      joined = flat(joined);
    }
    return joined;
  }
  joinedPath = path;
  joinedRoute = text;
  joinedFlat = false;
  return (joined = escapedPath(path) + text);
}

/**
 * What the lines of one connection share: its client's piece, and with it the byte count and
 * the id's random part of its last line, as one flat string once they repeat (a connection
 * asks the same route, answered with the same length, again and again); until then a join of
 * the count with the client's piece, as cheap to make as the line's other joins.
 */
export class LinePieces {
  private readonly client: string;
  private bytes: number | undefined = -1;
  private prefix = "";
  private text = "";
  private isFlat = false;

  constructor(client: string) {
    this.client = flat(clientPiece(client));
  }

  /** `,"bytes":164,"client":"...","requestId":"` and `prefix` (no `bytes` if undefined). */
  of(bytes: number | undefined, prefix: string): string {
    if (bytes === this.bytes && prefix === this.prefix) {
      if (!this.isFlat) {
        this.isFlat = true;
        this.text = flat(this.text);
      }
      return this.text;
    }
    this.bytes = bytes;
    this.prefix = prefix;
    this.isFlat = false;
    return (this.text = (bytes === undefined ? "" : `,"bytes":${bytes}`) + this.client + prefix);
  }
}

/** A client's pieces, for lines that do not come with their connection's (jsonLine). */
export function linePiecesOf(client: string): LinePieces {
  return piece(clientPieces, client, (c) => new LinePieces(c));
}

// The time the line gives, Date.now()'s, from the performance clock the line has read already
// (server-response.ts, as the response is done) instead of a second clock reading per line
// (about 100 instructions, callgrind): performance.timeOrigin, checked against Date.now() once a
// second and set anew from it when the two part by more than a millisecond (the system's clock
// stepped). Both count the same kernel clock: between checks they agree to the millisecond.
let wallOrigin = performance.timeOrigin;
let wallCheckedAt = Number.NEGATIVE_INFINITY;

/** Date.now() at `now`, a reading of performance.now(), within a millisecond. */
export function wallTime(now: number): number {
  const since = now - wallCheckedAt;
  if (!(since >= 0 && since < 1000)) checkWallClock(now);
  return Math.floor(wallOrigin + now);
}

function checkWallClock(now: number): void {
  wallCheckedAt = now;
  const wall = Date.now();
  const derived = Math.floor(wallOrigin + now);
  if (derived > wall + 1 || derived < wall - 1) wallOrigin = wall + 0.5 - now;
}

// The line's start: `{"level":30,"time":` and the seconds of Date.now(), made once per second,
// then the milliseconds' three digits with the method's piece, made once for each millisecond
// and method: 13-digit numbers are none of V8's small integers, and were formatted anew each
// time. The start of the last line is kept whole: most lines of a millisecond share a method.
// Kept as the time's seconds and milliseconds, small integers, not as the time itself: a
// module variable holding a fraction-capable number is a new heap number at every store.
let lastSecond = -1;
let lastMs = -1;
let lastMethod: string | undefined;
let lastStart = "";
let secondText = "";
let startsMethod: string | undefined;
let starts: string[] = [];
const methodStarts = new Map<string | undefined, string[]>();

function lineStart(time: number, method: string | undefined): string {
  // Until 2038, when the seconds outgrow 31 bits; then (and for any odd time) as it is.
  if (!(time > 0 && time < 2 ** 31 * 1000 && Math.floor(time) === time)) return `{"level":30,"time":${time}` + piece(methodPieces, method ?? "", methodPiece);
  const seconds = (time / 1000) | 0;
  const ms = (time - seconds * 1000) | 0;
  if (ms === lastMs && seconds === lastSecond && method === lastMethod) return lastStart;
  if (seconds !== lastSecond) {
    lastSecond = seconds;
    secondText = flat(`{"level":30,"time":${seconds}`);
  }
  lastMs = ms;
  lastMethod = method;
  if (method !== startsMethod || starts.length === 0) {
    startsMethod = method;
    starts = piece(methodStarts, method, msStarts);
  }
  return (lastStart = secondText + starts[ms]!);
}

// Made whole for a method at its first line, not as each millisecond first comes: a branch
// first taken in optimized code sends V8 back to its interpreter, and under load the
// milliseconds' first lines came for a thousand lines after the code was optimized (callgrind).
function msStarts(method: string | undefined): string[] {
  const text = methodPiece(method);
  return Array.from({ length: 1000 }, (_, ms) => flat(`${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}${text}`));
}

// Durations under 200 ms, by tenths of a millisecond: made at the first line, all at once, for
// the same reason as msStarts's (about 64 KB).
const TABLED = 2_000;
let tabled: string[] | undefined;

/**
 * A duration of `t` tenths of a millisecond (an integer) as JSON writes the number (3.1, 12),
 * from integers: the shortest form of a fraction is V8's slow path for numbers.
 */
function tenthsText(t: number): string {
  tabled ??= Array.from({ length: TABLED }, (_, i) => tenthsOf(i));
  return t >= 0 && t < TABLED ? tabled[t]! : tenthsOf(t);
}

function tenthsOf(t: number): string {
  // As 31-bit integers (any duration under 59 hours), whose text V8 keeps in a cache, rather than
  // heap numbers formatted anew each time.
  if (t < 2 ** 31 && t >= 0) {
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
  const tenths = Math.round(f.durationMs * 10);
  const id = plainId ? f.requestId : escaped(f.requestId);
  return accessLine(time, f.method, f.path, f.route, f.status, tenths, linePiecesOf(f.client).of(f.bytes, ""), id, lineEnd(f.httpVersion, f.aborted));
}

/**
 * jsonLine's line from its parts, as the server's own lines come (access-log.ts): `tenths`, the
 * duration in tenths of a millisecond; `middle`, a LinePieces' text; `id`, the request id (or
 * what of it the middle does not end with), escaped; `end`, lineEnd()'s.
 */
export function accessLine(time: number, method: string | undefined, path: string | undefined, route: string | undefined, status: number, tenths: number, middle: string, id: string, end: string): string {
  return lineStart(time, method) + pathAndRoute(path, route, status) + tenthsText(tenths) + middle + id + end;
}
