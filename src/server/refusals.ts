import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { HttpSocket } from "./http-socket.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps the app's listener with what node:http parses but spry refuses before any route sees it. */
export function guard(listener: Listener, maxHeadersCount: number, http2 = false, maxHeaderSize = Infinity): Listener {
  const refused = refuser(maxHeadersCount, http2, maxHeaderSize);
  return (req, res) => {
    if (!refused(req, res)) listener(req, res);
  };
}

/**
 * What guard() checks, as a step of its own for serve() to call inside the one listener it
 * builds (serve.ts): true if the request was refused (answered) or is not to be served at all.
 */
export function refuser(maxHeadersCount: number, http2 = false, maxHeaderSize = Infinity): (req: IncomingMessage, res: ServerResponse) => boolean {
  const maxRaw = maxHeadersCount * 2;
  return (req, res) => {
    // HTTP/2 (over TLS, with http2 on) frames requests itself: no Host, Transfer-Encoding or
    // pipelining to check; node:http2 refuses what its framing forbids.
    if (http2 && req.httpVersionMajor === 2) {
      if (req.rawHeaders.length > maxRaw) return refuse(res, 431, `Too many request headers (limit ${maxHeadersCount})`);
      // node:http2 announces the limit (SETTINGS_MAX_HEADER_LIST_SIZE) but serves a client that
      // ignores it; counted as that setting counts, 32 bytes a field beside its name and value.
      if (headListSize(req.rawHeaders) > maxHeaderSize) return refuse(res, 431, "Request header fields too large");
      return false;
    }
    // A request pipelined behind a refused one on the same connection: the connection is
    // closing, and what follows a refused request is never read as a request of its own.
    if ((req.socket as Closing)[CLOSING] === true) return true;
    // llhttp also accepts "HTTP/2.0" and a request line with no version at all (HTTP/0.9),
    // though neither is an HTTP/1 request; every other bad version it already answers with 400.
    if (req.httpVersionMajor !== 1) return refuse(res, 400, "Unsupported HTTP version");
    // Read once: node:http's headers are a getter, which checks for the parsed object each call.
    const headers = req.headers;
    // Node's own check (requireHostHeader) answers with an empty body; this one matches the rest.
    if (req.httpVersionMinor === 1 && headers.host === undefined) return refuse(res, 400, "Missing Host header");
    const raw = req.rawHeaders;
    // Node keeps the first maxHeadersCount headers and drops the rest silently; a request that
    // sent more is refused instead of being served with some of its headers missing.
    if (raw.length > maxRaw) return refuse(res, 431, `Too many request headers (limit ${maxHeadersCount})`);
    // Node keeps the first Host and drops the others; RFC 9112 (3.2) asks for a 400, since a
    // proxy in front may have routed by another one.
    if (hostCount(raw) > 1) return refuse(res, 400, "More than one Host header");
    const codings = headers["transfer-encoding"];
    if (codings !== undefined && codings !== "chunked") {
      if (!singleChunked(codings)) return refuse(res, 501, `Transfer-Encoding ${JSON.stringify(codings)} is not supported: send a body with Content-Length, or Transfer-Encoding: chunked alone`);
    }
    return false;
  };
}

function headListSize(raw: string[]): number {
  let size = 0;
  for (let i = 0; i < raw.length; i++) size += raw[i]!.length + (i % 2 === 0 ? 32 : 0);
  return size;
}

function hostCount(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // The two usual spellings first: lower-casing every four-letter name costs more.
    if (name === "Host" || name === "host" || (name.length === 4 && name.toLowerCase() === "host")) count++;
  }
  return count;
}

/**
 * llhttp reads any Transfer-Encoding whose last coding is chunked as chunked, and ignores the
 * codings before it (`identity, chunked`, `gzip, chunked`): a proxy in front that reads them
 * differently would see other request boundaries, so that the bytes after the body could run
 * as a second request. Only a single `chunked` is served; RFC 9112 (6.1) answers any other
 * coding with 501. (Chunked twice, or not last, llhttp refuses itself with 400.)
 */
function singleChunked(value: string): boolean {
  return value.trim().toLowerCase() === "chunked";
}

/**
 * Marks a connection closing after a refusal: nothing more it sends is served. A property of
 * the refused connection's socket alone, so that every other request's check is a property
 * that no socket has, which V8 answers from the socket's shape, where a WeakSet's has() on
 * every request's socket was a call and a hash lookup (callgrind, bench/http-callgrind.mjs).
 */
const CLOSING = Symbol("spry.closingAfterRefusal");
type Closing = { [CLOSING]?: true };

// Connection: close, so that nothing sent after a refused request is parsed as another one.
function refuse(res: ServerResponse, status: number, detail: string): true {
  const body = JSON.stringify({ detail });
  if (res.req.httpVersionMajor === 2) {
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  (res.req.socket as Closing)[CLOSING] = true;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
  return true;
}

const refused = new WeakSet<Duplex>();

/**
 * The server's "clientError" listener: a request node:http could not parse or did not receive
 * in time gets 400, 431 or 408, and its connection is closed.
 *
 * Node's default answer does the same, but at once: with an earlier valid request pipelined on
 * the same connection, it either drops that request's response or sends the error in its
 * place. Here the responses to complete requests go out first, then the refusal.
 */
export function onClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A dead parser reports again on every byte that follows.
  if (refused.has(socket)) return;
  refused.add(socket);
  socket.pause();
  refuseAfterInFlight(socket as HttpSocket, refusal(statusFor(error.code)));
}

function refuseAfterInFlight(socket: HttpSocket, refusal: string): void {
  const inFlight = socket._httpMessage;
  if (inFlight != null && inFlight.req.complete && !inFlight.destroyed) {
    // node:http assigns the next queued response to the socket before "close" is emitted.
    inFlight.once("close", () => refuseAfterInFlight(socket, refusal));
    return;
  }
  // A response whose head has gone out cannot be replaced; its request failed mid-body.
  if (socket.writable && (inFlight == null || !inFlight.headersSent)) socket.write(refusal);
  socket.destroy();
}

function statusFor(code: string | undefined): number {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return 431;
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return 413;
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return 408;
    default:
      return 400;
  }
}

function refusal(status: number): string {
  const body = JSON.stringify({ detail: STATUS_CODES[status] });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`
  );
}
