import { OutgoingMessage, ServerResponse, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { WRITE_CHECKED_HEAD, type WriteCheckedHead } from "../common/checked-head.ts";
import { requestFacts } from "../common/request-facts.ts";
import { statusHasNoBody } from "../common/status.ts";
import { REPORTS_END, responseEnded, WATCHER } from "../toolkit/node-request.ts";
import { endsHeadsAsNode, storeLengthHead, type NodeHeadState } from "./length-head.ts";

const ID = "x-request-id";
const ID_IN_HEAD = Symbol("spry.idInHead");

type Head = OutgoingHttpHeaders | OutgoingHttpHeader[];
type StoreHeader = (this: ServerResponse, firstLine: string, headers: unknown) => void;
/** What node:http's OutgoingMessage keeps to frame the body and the connection (lib/_http_outgoing.js, lib/_http_server.js). */
type NodeFraming = { _hasBody: boolean; _contentLength: number | null; _expect_continue?: boolean; _sent100?: boolean } & Record<symbol, unknown>;

// node:http's writeHead hands its status line and headers to _storeHeader, which validates and
// joins them into the head: lines given here are added after the status line, unvalidated.
// Only on Node itself, whose writeHead is known to end there (Bun's and Deno's node:http have
// their own); elsewhere the headers go through writeHead as they always did.
const storeHeader = (ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader })._storeHeader;
const versions = process.versions as { bun?: string };
const headLines = typeof storeHeader === "function" && versions.bun === undefined && !("Deno" in globalThis);

// The key under which node:http's OutgoingMessage keeps the headers set with setHeader (null
// until one is), found by its name on a message made once; undefined where none is found, and
// then every head goes through writeHead.
const outHeaders = Object.getOwnPropertySymbols(new OutgoingMessage()).find((key) => key.description === "kOutHeaders");

// Each status's first line of the head, made once, as node:http's writeHead makes it for a
// response with no statusMessage of its own (Node 26 caches it the same way): its reason phrase,
// or "unknown". Only for an integer status node accepts, 100-999.
// Its phrase too, kept beside it for the response's statusMessage: STATUS_CODES is an object
// keyed by numbers, a lookup in its dictionary of elements each response.
const statusLines: (string | undefined)[] = [];
const statusPhrases: string[] = [];
function statusLine(status: number): string | undefined {
  const line = statusLines[status];
  if (line !== undefined || !Number.isInteger(status) || status < 100 || status > 999) return line;
  const phrase = (statusPhrases[status] = STATUS_CODES[status] || "unknown");
  return (statusLines[status] = `HTTP/1.1 ${status} ${phrase}\r\n`);
}

// The lines for the head being stored now: set just around the synchronous call of node's
// writeHead that ends in _storeHeader, so that no response keeps a field for them.
let pendingLines: string | undefined;

/**
 * The ServerResponse class of spry's node:http server (HTTP/1.x, plain or over TLS): what the
 * server adds to every response is done in node:http's own steps rather than around them,
 * which the profiles of `/fast_task/` (bench/HISTORY.md, "Where the microseconds go") priced at
 * about a tenth of its CPU:
 *
 * - The request's id (server/access-log.ts) goes into the head as it is written. Set with
 *   setHeader before the route ran, it sent every writeHead down node:http's merging path (a
 *   setHeader and its checks per header, then the merged list); toolkit/node-writer.ts puts it
 *   among the header lines it has checked and hands to WRITE_CHECKED_HEAD (common/checked-head.ts),
 *   and for any other write (a refusal, a 503, a stream's implicit head) it is added here as a
 *   line of the head, unless the response names an id of its own.
 * - `finished` is called with the connection (server/shutdown.ts marks it idle) when node:http
 *   detaches the finished response from its socket, instead of from a "finish" listener added
 *   to every response; and so is the access line's writer (server/access-log.ts), which a
 *   response cut off by its connection's end hears of from responseCutOff() instead.
 * - The request waiting for its response to be done (deferred work, background tasks) hears
 *   of it from the same two places (toolkit/node-request.ts, REPORTS_END), instead of from a
 *   "close" listener added to each such response.
 *
 * One class deriving from node's directly: each level of subclassing is paid again in every
 * response's construction.
 */
export function serverResponse(finished: (socket: Socket, now: number) => void): typeof ServerResponse {
  class SpryServerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    // Declared here, at construction, rather than added to a response whose request waits.
    [WATCHER]: unknown = undefined;

    override writeHead(statusCode: number, reason?: string | Head, headers?: Head): this {
      const id = requestFacts(this.req)?.requestId;
      // The list first: hasHeader's checks cost more.
      if (id === undefined || names(typeof reason === "string" ? headers : (reason ?? headers), ID) || this.hasHeader(ID)) return super.writeHead(statusCode, reason as string, headers);
      if (!headLines) {
        this.setHeader(ID, id);
        return super.writeHead(statusCode, reason as string, headers);
      }
      // The id is spry's own or a client's that passed server/access-log.ts's check: printable
      // ASCII, a valid header value as it is.
      pendingLines = `${ID}: ${id}\r\n`;
      try {
        return super.writeHead(statusCode, reason as string, headers);
      } finally {
        pendingLines = undefined;
      }
    }

    override detachSocket(socket: Socket): void {
      super.detachSocket(socket);
      // One reading of the clock for both: when the connection went idle, and the line's duration.
      const now = performance.now();
      finished(socket, now);
      (requestFacts(this.req) as Partial<DoneHook> | undefined)?.responseDone?.(this, socket, false, now);
      // The request's deferred work and background tasks may run (toolkit/node-request.ts).
      responseEnded(this);
    }
  }
  const proto = SpryServerResponse.prototype as unknown as Record<symbol, unknown> & { _storeHeader: StoreHeader; writeHead: ServerResponse["writeHead"] };
  proto[ID_IN_HEAD] = true;
  proto[REPORTS_END] = true;
  if (headLines) {
    const writeHead = ServerResponse.prototype.writeHead;
    proto._storeHeader = function (firstLine, headers) {
      const lines = pendingLines;
      pendingLines = undefined;
      storeHeader!.call(this, lines === undefined ? firstLine : firstLine + lines, headers);
    };
    // node-writer.ts's way in: the id is among the lines it checked and joined.
    const writeChecked: WriteCheckedHead = function (this: ServerResponse & NodeFraming, status, lines, length, headers) {
      if (length !== undefined) {
        // Where node:http would frame the body by its length anyway (HTTP/1.1, a status and a
        // method with a body, no other framing header), it writes Content-Length itself from
        // _contentLength, as for a body given to end() alone, without the two checks of a
        // header given; elsewhere (HEAD, 204, HTTP/1.0) it must be a header, or node leaves it out.
        if (headers === undefined && this._hasBody && this.useChunkedEncodingByDefault && !statusHasNoBody(status)) this._contentLength = length;
        // As text, as finalize() writes it: a number takes node's value check the generic way.
        else (headers ??= {})["content-length"] = String(length);
      }
      // A head with nothing for node to read or merge (no framing header given, none set with
      // setHeader, no statusMessage of the app's): node's writeHead would only make the status
      // line, test its phrase with a regular expression and note the framing below before
      // _storeHeader, so the status line is a prepared one, and the head is ended here as
      // _storeHeader would end it (length-head.ts), or by _storeHeader itself. Statuses
      // without a body, and anything else, still go through writeHead.
      const first = endsHeadsAsNode && headers === undefined && outHeaders !== undefined && this[outHeaders] === null && !this.statusMessage && !statusHasNoBody(status) ? statusLine(status) : undefined;
      if (first !== undefined && !this.headersSent) {
        this.statusCode = status;
        this.statusMessage = statusPhrases[status]!;
        // As writeHead: a client that waits for 100 Continue it was not sent may send more bytes.
        if (this._expect_continue === true && this._sent100 !== true) this.shouldKeepAlive = false;
        const head = first + lines;
        if (!storeLengthHead(this as unknown as NodeHeadState, head)) storeHeader!.call(this, head, undefined);
        return;
      }
      pendingLines = lines;
      try {
        writeHead.call(this, status, headers);
      } finally {
        pendingLines = undefined;
      }
    };
    proto[WRITE_CHECKED_HEAD] = writeChecked;
  }
  return SpryServerResponse;
}

/** What a request's facts may carry to hear that its response is done (server/access-log.ts). */
interface DoneHook {
  responseDone(res: ServerResponse, socket: Socket, aborted: boolean, now?: number): void;
}

/**
 * The connection of `res` closed before node:http was done with it (the client left, or the
 * server cut it off): called by server/shutdown.ts, which listens to every connection's end
 * anyway. Only for spry's own responses, whose end is otherwise reported by detachSocket.
 */
export function responseCutOff(res: ServerResponse, socket: Socket): void {
  if (!writesIdInHead(res)) return;
  (requestFacts(res.req) as Partial<DoneHook> | undefined)?.responseDone?.(res, socket, true);
  responseEnded(res);
}

/** Whether `res` writes its request's id into its head itself: else the id must be set on it. */
export function writesIdInHead(res: ServerResponse): boolean {
  return (res as unknown as Record<symbol, boolean | undefined>)[ID_IN_HEAD] === true;
}

function names(headers: Head | undefined, name: string): boolean {
  if (headers === undefined) return false;
  if (!Array.isArray(headers)) return headers[name] !== undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const key = headers[i];
    if (typeof key === "string" && key.toLowerCase() === name) return true;
  }
  return false;
}
