import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { inDevMode } from "../common/dev-mode.ts";
import { prettyStream, type Logger } from "../common/logger.ts";
import { accessMessage, jsonLine, type AccessFields } from "./access-lines.ts";
import { loadPino } from "../common/line-writer.ts";
import { stdoutLines } from "../common/stdout-lines.ts";
import { peerOf } from "../common/peer.ts";
import { inRequestScope, setRequestFacts, type RequestFacts } from "../common/request-facts.ts";
import type { TrustedPeers } from "./proxy-headers.ts";
import { newRequestId } from "./request-id.ts";
import { writesIdInHead } from "./server-response.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

// A client's own id is kept only if it is short and plain: it goes into every log line.
const GIVEN_ID = /^[\x21-\x7e]{1,200}$/;

/** The built-in loggers take the fields alone: they build the message only if they show it. */
const FIELDS_ONLY = Symbol("fields only");
type FieldsLogger = Logger & { [FIELDS_ONLY]: (fields: AccessFields) => void };

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
    const pretty = loadPino()(options, prettyStream());
    const info = (fields: AccessFields) => pretty.info({ requestId: fields.requestId }, accessMessage(fields));
    return { info, warn: pretty.warn.bind(pretty), error: pretty.error.bind(pretty), debug: pretty.debug.bind(pretty), [FIELDS_ONLY]: info } as FieldsLogger;
  }
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  // Below info (warn, error, silent): no access lines.
  if (options.level !== "info" && options.level !== "debug" && options.level !== "trace") return quiet;
  const lines = stdoutLines();
  const info = (fields: AccessFields) => lines.add(jsonLine(fields, Date.now()));
  return { ...quiet, info, [FIELDS_ONLY]: info } as FieldsLogger;
}

export interface AccessLogOptions {
  /** Where the lines go; undefined: no line, the request id only. */
  logger: Logger | undefined;
  /** Whose X-Request-ID is kept: the peers trusted with proxy headers. */
  trusted: TrustedPeers | undefined;
}

/**
 * Gives every request an id (a trusted client's X-Request-ID, else a new one, request-id.ts), echoed in the
 * response's X-Request-ID and on the app's log lines for the request, and logs a line when its
 * response is done: `127.0.0.1:52314 - "GET /items/1 HTTP/1.1" 200 3.1 ms` as the message, and
 * as fields method, path, route (the matched template), status, durationMs, bytes, client and
 * requestId.
 */
export function accessLog(listener: Listener, { logger, trusted }: AccessLogOptions): Listener {
  return (req, res) => {
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && GIVEN_ID.test(given) && trusted?.has(req.socket.remoteAddress) === true ? given : newRequestId();
    // `route` from the start, which the app sets once routed: one object shape, no transition.
    const facts: RequestFacts = { requestId, route: undefined };
    setRequestFacts(req, facts);
    // spry's own responses write the id into their head (server-response.ts); others (HTTP/2's) are told now.
    if (!writesIdInHead(res)) res.setHeader("x-request-id", requestId);
    if (logger !== undefined) {
      // Read only when there is a line to time: without an access log the clock is not needed.
      const start = performance.now();
      const sentBefore = req.httpVersionMajor === 1 ? req.socket.bytesWritten : 0;
      // An HTTP/2 stream's socket stands for its session's only while the stream is open: by its
      // "close" it names no address (the line said "unix"), so the peer is read now.
      const h2peer = req.httpVersionMajor === 2 ? { remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort } : undefined;
      res.on("close", () => logLine(logger, req, res, facts, performance.now() - start, sentBefore, h2peer));
    }
    // The app's log lines for this request, wherever they are written from, carry its id.
    inRequestScope(facts, listener, req, res);
  };
}

type Peer = { remoteAddress: string | undefined; remotePort: number | undefined };

function logLine(logger: Logger, req: IncomingMessage, res: ServerResponse, facts: RequestFacts, ms: number, sentBefore: number, h2peer: Peer | undefined): void {
  const peer = peerOf(req)?.client;
  const socket = h2peer ?? req.socket;
  const address = peer?.address ?? socket.remoteAddress;
  const port = peer?.port ?? socket.remotePort;
  const client = address === undefined ? "unix" : `${address.includes(":") ? `[${address}]` : address}:${port ?? 0}`;
  const declared = Number(res.getHeader("content-length"));
  // Over HTTP/1.1, what the connection sent for this response (head included); over HTTP/2 the
  // connection is shared by streams, so only a declared length is known.
  const bytes = Number.isFinite(declared) && req.httpVersionMajor === 2 ? declared : req.httpVersionMajor === 1 ? req.socket.bytesWritten - sentBefore : declared || undefined;
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
  if (!res.writableFinished) fields.aborted = true;
  const own = (logger as Partial<FieldsLogger>)[FIELDS_ONLY];
  if (own !== undefined) own(fields);
  else logger.info(fields, accessMessage(fields));
}
