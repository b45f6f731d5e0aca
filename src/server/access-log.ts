import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { inDevMode } from "../common/dev-mode.ts";
import { prettyDestination, type Logger } from "../common/logger.ts";
import { accessLine, accessMessage, ConnectionLines, escaped, HTTP11_END, jsonLine, lineEnd, LinePieces, linePiecesOf, wallTime, type AccessFields } from "./access-lines.ts";
import { loadPino } from "../common/line-writer.ts";
import { stdoutLines } from "../common/stdout-lines.ts";
import type { LineBatches } from "../common/line-writer.ts";
import { peerOf } from "../common/peer.ts";
import { inRequestScope, setRequestFacts, type RequestFacts } from "../common/request-facts.ts";
import type { TrustedPeers } from "./proxy-headers.ts";
import { idCount, idPrefix, idTail, newRequestId } from "./request-id.ts";
import { writesIdInHead } from "./server-response.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

// A client's own id is kept only if it is short and plain: it goes into every log line.
const GIVEN_ID = /^[\x21-\x7e]{1,200}$/;

/** The built-in loggers take the fields alone: they build the message only if they show it. */
const FIELDS_ONLY = Symbol("fields only");
/** The JSON logger's batches, which spry's own responses give their lines without the fields. */
const JSON_LINES = Symbol("json lines");
type FieldsLogger = Logger & { [FIELDS_ONLY]: WriteLine; [JSON_LINES]?: LineBatches };

/**
 * The access log's own logger, as Uvicorn keeps one apart from the app's: JSON lines on stdout
 * (readable ones under `spry dev`), level from LOG_LEVEL, written asynchronously in batches
 * (stdout-lines.ts): a line is out within a tenth of a second (SPRY_LOG_FLUSH), and what is
 * pending when the process ends is written before it.
 */
export function createAccessLogger(): Logger {
  const options = { level: process.env.LOG_LEVEL ?? "info", base: undefined };
  if (inDevMode()) {
    // The readable message says it all; of the fields, only the id is worth a line of its own.
    const pretty = loadPino()(options, prettyDestination());
    const info = (fields: AccessFields) => pretty.info({ requestId: fields.requestId }, accessMessage(fields));
    return { info, warn: pretty.warn.bind(pretty), error: pretty.error.bind(pretty), debug: pretty.debug.bind(pretty), [FIELDS_ONLY]: info } as FieldsLogger;
  }
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  // Below info (warn, error, silent): no access lines.
  if (options.level !== "info" && options.level !== "debug" && options.level !== "trace") return quiet;
  const lines = stdoutLines();
  const info = (fields: AccessFields, plainId?: boolean) => lines.add(jsonLine(fields, Date.now(), plainId));
  return { ...quiet, info, [FIELDS_ONLY]: info, [JSON_LINES]: lines } as FieldsLogger;
}

export interface AccessLogOptions {
  /** Where the lines go; undefined: no line, the request id only. */
  logger: Logger | undefined;
  /** Whose X-Request-ID is kept: the peers trusted with proxy headers. */
  trusted: TrustedPeers | undefined;
}


/** What the line needs of one request, from its start: its facts, and when it started. */
interface Timed extends RequestFacts {
  readonly start: number;
}

// What the line keeps of a connection, made at its first response: what it had sent when its
// last response was logged (the next response's bytes are counted from there, so that each line
// reads the socket's count once, as its response is done), and its client as the line writes
// it (the address and port of a connection do not change).
const CONNECTION = Symbol("spry.accessLogged");
class Logged {
  sent = 0;
  readonly client: string;
  /** The pieces of its JSON lines (access-lines.ts), made with the first. */
  pieces: LinePieces | undefined = undefined;
  /** Its JSON lines for spry's own ids over HTTP/1.1 (access-lines.ts), made with the first. */
  lines: ConnectionLines | undefined = undefined;

  constructor(client: string) {
    this.client = client;
  }
}
type LoggedSocket = Socket & { [CONNECTION]?: Logged };

/** Where a logger's lines go (one for every request of a requestStart()): its writer, and its batches if it is the JSON logger. */
interface LineSink {
  readonly write: WriteLine;
  /** Where the JSON logger's lines go: then the line is made here, without the fields. */
  readonly lines: LineBatches | undefined;
}

/**
 * The request's facts with the access line's own: one object a request, with the line written
 * by its method when spry's response class (server-response.ts) says the response is done,
 * instead of a "close" listener and a closure made for every response.
 */
class LoggedRequest implements Timed {
  // Declared only, and assigned in the constructor: a class field, even one without a value, is
  // defined by an initializer function that each construction calls before the constructor's
  // body. Plain properties, not #private ones: V8 defines each private field of a new object
  // through a keyed store that a profile of /fast_task/ showed per request (callgrind,
  // bench/HISTORY.md).
  declare route: string | undefined;
  declare readonly requestId: string;
  declare readonly start: number;
  /**
   * A made id's random part and its count (request-id.ts), which the JSON line writes apart:
   * "" and 0 for a client's own id, which the line tests for escaping (spry's need none).
   */
  private declare readonly idPrefix: string;
  private declare readonly idCount: number;
  private declare readonly sink: LineSink;
  private declare logged: boolean;

  constructor(requestId: string, idPrefix: string, idCount: number, start: number, sink: LineSink) {
    this.route = undefined;
    this.requestId = requestId;
    this.idPrefix = idPrefix;
    this.idCount = idCount;
    this.start = start;
    this.sink = sink;
    this.logged = false;
  }

  /** `now`: performance.now() as the caller just read it (server-response.ts), if it did. */
  responseDone(res: ServerResponse, socket: Socket, aborted: boolean, now = performance.now()): void {
    // Once: a response detached from its connection is not cut off by that connection's end.
    if (this.logged) return;
    this.logged = true;
    const sent = sentBy(socket);
    const peer = peerOf(res.req)?.client;
    const logged = socket as LoggedSocket;
    let connection = logged[CONNECTION];
    if (connection === undefined) connection = logged[CONNECTION] = new Logged(clientText(socket.remoteAddress, socket.remotePort));
    const bytes = sent - connection.sent;
    connection.sent = sent;
    const ms = now - this.start;
    const made = this.idCount !== 0;
    const lines = this.sink.lines;
    if (lines !== undefined) {
      // jsonLine's line, from its parts: no fields object, the connection's pieces, the version's
      // numbers (node:http makes its string anew for every request).
      const req = res.req;
      if (peer === undefined && made && !aborted && req.httpVersionMinor === 1 && req.httpVersionMajor === 1) {
        const own = (connection.lines ??= new ConnectionLines((connection.pieces ??= new LinePieces(connection.client))));
        own.write(lines, wallTime(now), req.method, req.url, this.route, res.statusCode, Math.round(ms * 10), bytes, this.idPrefix, this.idCount);
        return;
      }
      const pieces = peer === undefined ? (connection.pieces ??= new LinePieces(connection.client)) : linePiecesOf(clientText(peer.address, peer.port));
      const end = req.httpVersionMinor === 1 && req.httpVersionMajor === 1 && !aborted ? HTTP11_END : lineEnd(req.httpVersion, aborted);
      const middle = pieces.of(bytes, this.idPrefix);
      const id = made ? idTail(this.idCount) : escaped(this.requestId);
      lines.add(accessLine(wallTime(now), req.method, req.url, this.route, res.statusCode, Math.round(ms * 10), middle, id, end));
      return;
    }
    const client = peer === undefined ? connection.client : clientText(peer.address, peer.port);
    logLine(this.sink.write, res.req, res, this, ms, bytes, aborted, client, made);
  }
}

/** What node's own socket keeps of its writes (net.Socket's fields, read by its bytesWritten). */
type Dispatching = Socket & { _bytesDispatched?: unknown; _pendingData?: unknown };

/**
 * socket.bytesWritten without its cost when nothing is queued: the getter copies the socket's
 * write queue into a new array to add up its chunks, which a profile of the access log showed
 * per line (callgrind, bench/http-callgrind.mjs `spry-log`); with the queue empty and nothing
 * held for the connection's start, the count is what was handed to the system, as it reads.
 */
function sentBy(socket: Socket): number {
  const s = socket as Dispatching;
  const dispatched = s._bytesDispatched;
  return typeof dispatched === "number" && s.writableLength === 0 && s._pendingData == null ? dispatched : socket.bytesWritten;
}

/** A client as the line names it: `127.0.0.1:52314`, `[::1]:52314`, or `unix` for a unix socket's. */
function clientText(address: string | undefined, port: number | undefined): string {
  return address === undefined ? "unix" : `${address.includes(":") ? `[${address}]` : address}:${port ?? 0}`;
}

/**
 * Gives every request an id (a trusted client's X-Request-ID, else a new one, request-id.ts), echoed in the
 * response's X-Request-ID and on the app's log lines for the request, and logs a line when its
 * response is done: `127.0.0.1:52314 - "GET /items/1 HTTP/1.1" 200 3.1 ms` as the message, and
 * as fields method, path, route (the matched template), status, durationMs, bytes, client and
 * requestId.
 */
export function accessLog(listener: Listener, options: AccessLogOptions): Listener {
  const begin = requestStart(options);
  // The app's log lines for this request, wherever they are written from, carry its id.
  return (req, res) => inRequestScope(begin(req, res), listener, req, res);
}

/**
 * What accessLog() does as a request arrives, as a step for serve()'s own listener (serve.ts):
 * the id, the facts it shares with the app, and what the line needs; returns the facts, for the
 * caller to run the request in their scope.
 */
export function requestStart({ logger, trusted }: AccessLogOptions): (req: IncomingMessage, res: ServerResponse) => RequestFacts {
  // One step for each case, each small: V8 optimizes a function by the work it has seen, and
  // the server's own case was the slower for sharing one with the others.
  const keptId = (req: IncomingMessage): string | undefined => {
    const given = req.headers["x-request-id"];
    return typeof given === "string" && GIVEN_ID.test(given) && trusted?.has(req.socket.remoteAddress) === true ? given : undefined;
  };
  if (logger === undefined) {
    return (req, res) => {
      const requestId = keptId(req) ?? newRequestId();
      // `route` from the start, which the app sets once routed: one object shape, no transition.
      // Without an access log no clock is read.
      const facts: RequestFacts = { requestId, route: undefined };
      setRequestFacts(req, facts);
      if (!writesIdInHead(res)) res.setHeader("x-request-id", requestId);
      return facts;
    };
  }
  const sink: LineSink = { write: lineWriterOf(logger), lines: (logger as Partial<FieldsLogger>)[JSON_LINES] };
  return (req, res) => {
    const kept = keptId(req);
    if (kept === undefined && writesIdInHead(res)) {
      // spry's own responses write the id into their head and report when they are done
      // (server-response.ts): the line needs nothing more per response. The id as the server
      // makes it without a log, a pair of shared strings (request-id.ts), with its random part
      // and count read after it (it starts a new series, with a new prefix, once in 2^48 ids):
      // the line writes the count's digits itself, and a separate tail string and a flat copy
      // of the id were two joins and a flattening a request (callgrind, http-callgrind.mjs
      // `spry-log`).
      const requestId = newRequestId();
      const facts = new LoggedRequest(requestId, idPrefix(), idCount(), performance.now(), sink);
      setRequestFacts(req, facts);
      return facts;
    }
    return otherStart(req, res, kept ?? newRequestId(), kept !== undefined, sink);
  };
}

/** requestStart's step for a client's own id, and for any response but spry's own (HTTP/2's). */
function otherStart(req: IncomingMessage, res: ServerResponse, requestId: string, kept: boolean, sink: LineSink): RequestFacts {
  const start = performance.now();
  if (writesIdInHead(res)) {
    const facts = new LoggedRequest(requestId, "", 0, start, sink);
    setRequestFacts(req, facts);
    return facts;
  }
  // Any other response (HTTP/2's) is told the id, and listened to for its end.
  const facts: Timed = { requestId, route: undefined, start };
  setRequestFacts(req, facts);
  res.setHeader("x-request-id", requestId);
  const http1 = req.httpVersionMajor === 1;
  const sentBefore = http1 ? req.socket.bytesWritten : 0;
  // An HTTP/2 stream's socket stands for its session's only while the stream is open: by its
  // "close" it names no address (the line said "unix"), so the peer is read now.
  const h2peer = http1 ? undefined : { remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort };
  res.on("close", () => {
    // Over HTTP/1.1, what the connection sent for this response (head included); over HTTP/2 the
    // connection is shared by streams, so only a declared length is known.
    const declared = Number(res.getHeader("content-length"));
    const bytes = http1 ? req.socket.bytesWritten - sentBefore : Number.isFinite(declared) ? declared : undefined;
    const peer = peerOf(req)?.client;
    const socket = h2peer ?? req.socket;
    const client = peer === undefined ? clientText(socket.remoteAddress, socket.remotePort) : clientText(peer.address, peer.port);
    logLine(sink.write, req, res, facts, performance.now() - start, bytes, !res.writableFinished, client, !kept);
  });
  return facts;
}

/** `madeId`: the id is spry's own, which needs no escaping in a JSON line (request-id.ts). */
type WriteLine = (fields: AccessFields, madeId: boolean) => void;

/** How `logger` takes a line: the built-in loggers their fields alone, any other with the message too. */
function lineWriterOf(logger: Logger): WriteLine {
  return (logger as Partial<FieldsLogger>)[FIELDS_ONLY] ?? ((fields) => logger.info(fields, accessMessage(fields)));
}

function logLine(write: WriteLine, req: IncomingMessage, res: ServerResponse, facts: RequestFacts, ms: number, bytes: number | undefined, aborted: boolean, client: string, madeId: boolean): void {
  const fields: AccessFields = {
    method: req.method,
    path: req.url,
    route: facts.route,
    status: res.statusCode,
    durationMs: Math.round(ms * 10) / 10,
    bytes,
    client,
    requestId: facts.requestId,
    httpVersion: req.httpVersion,
  };
  if (aborted) fields.aborted = true;
  write(fields, madeId);
}
