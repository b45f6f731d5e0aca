import { performance } from "node:perf_hooks";
import { flatString } from "../common/flat-string.ts";
import type { LineBatches } from "../common/line-writer.ts";
import { idTail } from "./request-id.ts";

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

// The pieces kept for many lines are made flat once (common/flat-string.ts): a profile of the
// access log (callgrind, bench/http-callgrind.mjs `spry-log`) had the walks of their joins, in
// every later join and in the batch's write (line-writer.ts), as its largest cost.
const flat = flatString;

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
// second and set anew from it, half a millisecond in, whenever the two read apart (the system's
// clock stepped, or timeOrigin was off from the start). Both count the same kernel clock: between
// checks they agree to the millisecond. The check reads both clocks itself, side by side: `now`
// may be older than the check by a pause (a collection, the process descheduled on a loaded
// machine), and an origin set from it would put a second of lines ahead by that pause.
let wallOrigin = performance.timeOrigin;
let wallCheckedAt = Number.NEGATIVE_INFINITY;

/** Date.now() at `now`, a reading of performance.now(), within a millisecond. */
export function wallTime(now: number): number {
  const since = now - wallCheckedAt;
  if (!(since >= 0 && since < 1000)) checkWallClock(now);
  return Math.floor(wallOrigin + now);
}

function checkWallClock(now: number): void {
  const before = performance.now();
  const wall = Date.now();
  const after = performance.now();
  // Interrupted between the readings: the pair says nothing; the next line checks again.
  if (after - before > 0.25) return;
  wallCheckedAt = now;
  const at = (before + after) / 2;
  if (Math.floor(wallOrigin + at) !== wall) wallOrigin = wall + 0.5 - at;
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

// The first 19 bytes of every line, `{"level":30,"time":`, then the time's 13 digits: its
// seconds' ten, then its milliseconds' three (a time from 2001 to 2038: lineStart).
const SECONDS_AT = 19;
const MS_AT = 29;
// An id's counting part (request-id.ts idTail) and the HTTP/1.1 line's end, in bytes.
const TAIL = 12;
const FROM_END = TAIL + Buffer.byteLength(HTTP11_END);

// Bytes as a little-endian store writes them, the first in the lowest 8 bits.
const littleEndian = (text: string) => [...text].reduceRight((word, c) => word * 256 + c.charCodeAt(0), 0) >>> 0;
// A millisecond's three digits and the `,` of the `,"method"` that follows them.
const MS_BYTES = Uint32Array.from({ length: 1000 }, (_, ms) => littleEndian(`${String(ms).padStart(3, "0")},`));
// A byte's two hex digits.
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, b) => littleEndian(b.toString(16).padStart(2, "0")));
// Durations under 100 ms (at most 4 characters, 99.9), each as its text and the `,"b` that
// follows it in the line, 4 bytes, and the text's length.
const TABLED_BYTES = 1_000;
const DURATION_BYTES = Uint32Array.from({ length: TABLED_BYTES }, (_, t) => littleEndian(`${tenthsOf(t)},"b`.slice(0, 4)));
const DURATION_LENGTHS = Uint8Array.from({ length: TABLED_BYTES }, (_, t) => tenthsOf(t).length);

/**
 * The lines of one connection, for spry's own id over HTTP/1.1 (access-log.ts): a line whose
 * method, path, route, status, byte count and id prefix repeat the connection's last line's (a
 * connection asks the same route again and again) is that line's bytes, kept since (a
 * LineTemplate), copied into the batch with the time's milliseconds, the duration and the id
 * written over them. Any other line is made as jsonLine's, from its pieces, and added as a string.
 */
export class ConnectionLines {
  private readonly pieces: LinePieces;
  // The last line's: the status -1 until there is one.
  private method: string | undefined = undefined;
  private path: string | undefined = undefined;
  private route: string | undefined = undefined;
  private status = -1;
  private bytes = -1;
  private prefix = "";
  private template: LineTemplate | undefined = undefined;

  constructor(pieces: LinePieces) {
    this.pieces = pieces;
  }

  /**
   * `tenths`: the duration in tenths of a millisecond; `prefix` and `count`: the id's random
   * part and the number its last 12 digits write in hex (request-id.ts).
   */
  write(lines: LineBatches, time: number, method: string | undefined, path: string | undefined, route: string | undefined, status: number, tenths: number, bytes: number, prefix: string, count: number): void {
    if (status === this.status && bytes === this.bytes && path === this.path && route === this.route && method === this.method && prefix === this.prefix) {
      if (time >= 1e12 && time < 2 ** 31 * 1000 && tenths >= 0 && tenths < 2 ** 31 && path !== undefined && count < 2 ** 48) {
        (this.template ??= new LineTemplate(accessLineParts(time, method, path, route, status, tenths, this.pieces.of(bytes, prefix), idTail(count), HTTP11_END))).write(lines, time, tenths, count);
        return;
      }
    } else {
      this.method = method;
      this.path = path;
      this.route = route;
      this.status = status;
      this.bytes = bytes;
      this.prefix = prefix;
      this.template = undefined;
    }
    lines.add(accessLine(time, method, path, route, status, tenths, this.pieces.of(bytes, prefix), idTail(count), HTTP11_END));
  }
}

/** A line as its text before the duration, the duration's, and what follows it. */
interface LineParts {
  readonly time: number;
  readonly head: string;
  readonly duration: string;
  readonly rest: string;
}

function accessLineParts(time: number, method: string | undefined, path: string | undefined, route: string | undefined, status: number, tenths: number, middle: string, id: string, end: string): LineParts {
  return { time, head: lineStart(time, method) + pathAndRoute(path, route, status), duration: tenthsText(tenths), rest: middle + id + end };
}

/**
 * A line's bytes, for lines that differ from it only in the time, the duration and the id's
 * counting part: one copy for each length of the duration's text (1 to 10 characters), each
 * made as that length first comes, so that every line is one copy (a copy is about 160
 * instructions, whatever its length, callgrind: the bytes before the duration and those after
 * it, copied apart, were two). Each copy's seconds are written anew as it is used in a new
 * second, that copy's alone: all copies at once, most of them not used that second, cost about
 * 90 instructions a line under callgrind (http-callgrind.mjs `spry-log`, where a second is some
 * 20 lines of a connection).
 */
class LineTemplate {
  private readonly byLength: (Buffer | undefined)[];
  /** The seconds each of byLength's copies says, by length (-1: none yet). */
  private readonly secondOf: number[];
  private readonly head: Buffer;
  private readonly rest: Buffer;
  private readonly durationAt: number;

  constructor(parts: LineParts) {
    const bytes = Buffer.from(parts.head + parts.duration + parts.rest);
    this.durationAt = Buffer.byteLength(parts.head);
    this.head = bytes.subarray(0, this.durationAt);
    this.rest = bytes.subarray(this.durationAt + parts.duration.length);
    this.byLength = Array.from({ length: 11 }, () => undefined);
    this.byLength[parts.duration.length] = bytes;
    // The head's seconds are those of the first copy, whose bytes it shares: a copy made from it
    // later writes its own.
    this.secondOf = Array.from({ length: 11 }, () => -1);
    this.secondOf[parts.duration.length] = (parts.time / 1000) | 0;
  }

  write(lines: LineBatches, time: number, tenths: number, count: number): void {
    const seconds = (time / 1000) | 0;
    const ms = time - seconds * 1000;
    const tabled = tenths < TABLED_BYTES;
    const length = tabled ? DURATION_LENGTHS[tenths]! : tenthsText(tenths).length;
    const bytes = this.byLength[length] ?? this.ofLength(length);
    if (this.secondOf[length] !== seconds) this.setSecond(bytes, length, seconds);
    const at = lines.room(bytes.length);
    const buffer = lines.buffer;
    const view = lines.view;
    buffer.set(bytes, at);
    const end = at + bytes.length;
    const durationAt = at + this.durationAt;
    // The duration's text and the bytes after it (the `,"b` of `,"bytes":`) in one store.
    if (tabled) view.setUint32(durationAt, DURATION_BYTES[tenths]!, true);
    else {
      const text = tenthsText(tenths);
      for (let i = 0; i < length; i++) buffer[durationAt + i] = text.charCodeAt(i);
    }
    // The milliseconds' three digits and the comma after them.
    view.setUint32(at + MS_AT, MS_BYTES[ms]!, true);
    // The id's counting part, 12 hex digits: two at a time, from its upper and lower 24 bits.
    const tailAt = end - FROM_END;
    const high = Math.floor(count / 0x1000000);
    const low = count - high * 0x1000000;
    view.setUint16(tailAt, HEX_PAIRS[high >>> 16]!, true);
    view.setUint16(tailAt + 2, HEX_PAIRS[(high >>> 8) & 255]!, true);
    view.setUint16(tailAt + 4, HEX_PAIRS[high & 255]!, true);
    view.setUint16(tailAt + 6, HEX_PAIRS[low >>> 16]!, true);
    view.setUint16(tailAt + 8, HEX_PAIRS[(low >>> 8) & 255]!, true);
    view.setUint16(tailAt + 10, HEX_PAIRS[low & 255]!, true);
    lines.wrote(end);
  }

  /** The bytes for a duration of `length` characters, the duration's own left to write. */
  private ofLength(length: number): Buffer {
    const bytes = Buffer.allocUnsafe(this.durationAt + length + this.rest.length);
    bytes.set(this.head, 0);
    bytes.set(this.rest, this.durationAt + length);
    return (this.byLength[length] = bytes);
  }

  private setSecond(bytes: Buffer, length: number, seconds: number): void {
    this.secondOf[length] = seconds;
    let n = seconds;
    for (let i = SECONDS_AT + 9; i >= SECONDS_AT; i--) {
      const next = (n / 10) | 0;
      bytes[i] = 48 + n - next * 10;
      n = next;
    }
  }
}
