import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import type { pino as Pino } from "pino";
import { inDevMode } from "../common/dev-mode.ts";
import { prettyStream, type Logger } from "../common/logger.ts";
import { peerOf } from "../common/peer.ts";
import { setRequestFacts, type RequestFacts } from "../common/request-facts.ts";
import type { TrustedPeers } from "./proxy-headers.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

// A client's own id is kept only if it is short and plain: it goes into every log line.
const GIVEN_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The access log's own logger, as Uvicorn keeps one apart from the app's: JSON lines on stdout
 * (readable ones under `spry dev`), level from LOG_LEVEL. Written asynchronously, in batches:
 * a line is out within a quarter of a second, and what is pending at exit is flushed.
 */
export function createAccessLogger(): Logger {
  const options = { level: process.env.LOG_LEVEL ?? "info", base: undefined };
  if (inDevMode()) {
    // The readable message says it all; of the fields, only the id is worth a line of its own.
    const pretty = loadPino()(options, prettyStream());
    return { info: (fields: { requestId?: string }, message?: string) => pretty.info({ requestId: fields.requestId }, message), warn: pretty.warn.bind(pretty), error: pretty.error.bind(pretty), debug: pretty.debug.bind(pretty) };
  }
  // Below info (warn, error, silent): no access lines.
  if (options.level !== "info" && options.level !== "debug" && options.level !== "trace") return { info() {}, warn() {}, error() {}, debug() {} };
  const destination = stdoutBatches();
  const write = (line: string) => destination.write(line);
  return { info: (fields: object, message?: string) => write(jsonLine(30, fields as AccessFields, message ?? "")), warn() {}, error() {}, debug() {} };
}

let batches: ReturnType<typeof Pino.destination> | undefined;

// Loaded when the first access logger is made, not with the server: `--no-access-log` (or a
// logger of the app's own) leaves pino and its streams, some 5 MB of RSS, unloaded.
function loadPino(): typeof Pino {
  return (createRequire(import.meta.url)("pino") as { pino: typeof Pino }).pino;
}

/**
 * Stdout, written in batches, one per process whatever the number of servers: lines are
 * gathered up to 8 KB and written at least every 250 ms, since a write per line, a system call
 * each, would cost a fast route a large share of its throughput. Flushed at exit.
 */
function stdoutBatches(): ReturnType<typeof Pino.destination> {
  if (batches !== undefined) return batches;
  const destination = (batches = loadPino().destination({ dest: 1, sync: false, minLength: 8 * 1024 }));
  setInterval(() => destination.flush(), 250).unref();
  process.once("exit", () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing left to write to.
    }
  });
  return destination;
}

/** An access line's fields, as logLine() builds them. */
interface AccessFields {
  method?: string | undefined;
  path?: string | undefined;
  route?: string | undefined;
  status: number;
  durationMs: number;
  bytes?: number | undefined;
  client: string;
  requestId: string;
  httpVersion: string;
  aborted?: true;
}

/**
 * The line pino would write for these fields (level, time, the fields, msg), built directly:
 * pino's general serializer took about a fifth of /fast_task/'s CPU time per request here
 * (bench/server.mjs), this a small fraction of it. Only strings a client chose are escaped.
 */
function jsonLine(level: number, f: AccessFields, message: string): string {
  return (
    `{"level":${level},"time":${Date.now()},"method":${JSON.stringify(f.method)},"path":${JSON.stringify(f.path)}` +
    `${f.route === undefined ? "" : `,"route":${JSON.stringify(f.route)}`},"status":${f.status},"durationMs":${f.durationMs}` +
    `${f.bytes === undefined ? "" : `,"bytes":${f.bytes}`},"client":${JSON.stringify(f.client)},"requestId":${JSON.stringify(f.requestId)}` +
    `,"httpVersion":${JSON.stringify(f.httpVersion)}${f.aborted ? ',"aborted":true' : ""},"msg":${JSON.stringify(message)}}\n`
  );
}

export interface AccessLogOptions {
  /** Where the lines go; undefined: no line, the request id only. */
  logger: Logger | undefined;
  /** Whose X-Request-ID is kept: the peers trusted with proxy headers. */
  trusted: TrustedPeers | undefined;
}

/**
 * Gives every request an id (a trusted client's X-Request-ID, else a new UUID), echoed in the
 * response's X-Request-ID and on the app's log lines for the request, and logs a line when its
 * response is done: `127.0.0.1:52314 - "GET /items/1 HTTP/1.1" 200 3.1 ms` as the message, and
 * as fields method, path, route (the matched template), status, durationMs, bytes, client and
 * requestId.
 */
export function accessLog(listener: Listener, { logger, trusted }: AccessLogOptions): Listener {
  return (req, res) => {
    const start = performance.now();
    const given = req.headers["x-request-id"];
    const requestId = typeof given === "string" && GIVEN_ID.test(given) && trusted?.has(req.socket.remoteAddress) === true ? given : randomUUID();
    const facts: RequestFacts = { requestId };
    setRequestFacts(req, facts);
    res.setHeader("x-request-id", requestId);
    if (logger !== undefined) {
      const sentBefore = req.httpVersionMajor === 1 ? req.socket.bytesWritten : 0;
      res.once("close", () => logLine(logger, req, res, facts, performance.now() - start, sentBefore));
    }
    listener(req, res);
  };
}

function logLine(logger: Logger, req: IncomingMessage, res: ServerResponse, facts: RequestFacts, ms: number, sentBefore: number): void {
  const peer = peerOf(req)?.client;
  const address = peer?.address ?? req.socket.remoteAddress;
  const port = peer?.port ?? req.socket.remotePort;
  const client = address === undefined ? "unix" : `${address.includes(":") ? `[${address}]` : address}:${port ?? 0}`;
  const declared = Number(res.getHeader("content-length"));
  // Over HTTP/1.1, what the connection sent for this response (head included); over HTTP/2 the
  // connection is shared by streams, so only a declared length is known.
  const bytes = Number.isFinite(declared) && req.httpVersionMajor === 2 ? declared : req.httpVersionMajor === 1 ? req.socket.bytesWritten - sentBefore : declared || undefined;
  const durationMs = Math.round(ms * 10) / 10;
  const status = res.statusCode;
  const fields = {
    method: req.method,
    path: req.url,
    route: facts.route,
    status,
    durationMs,
    bytes,
    client,
    requestId: facts.requestId,
    httpVersion: req.httpVersion,
    ...(!res.writableFinished && { aborted: true }),
  };
  logger.info(fields, `${client} - "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${durationMs.toFixed(1)} ms${res.writableFinished ? "" : " (client left)"}`);
}
