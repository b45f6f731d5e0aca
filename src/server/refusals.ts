import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { HttpSocket } from "./http-socket.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Wraps the app's listener with what node:http parses but spry refuses before any route sees it. */
export function guard(listener: Listener, maxHeadersCount: number): Listener {
  const maxRaw = maxHeadersCount * 2;
  return (req, res) => {
    // llhttp also accepts "HTTP/2.0" and a request line with no version at all (HTTP/0.9),
    // though neither is an HTTP/1 request; every other bad version it already answers with 400.
    if (req.httpVersionMajor !== 1) return refuse(res, 400, "Unsupported HTTP version");
    // Node's own check (requireHostHeader) answers with an empty body; this one matches the rest.
    if (req.httpVersionMinor === 1 && req.headers.host === undefined) return refuse(res, 400, "Missing Host header");
    // Node keeps the first maxHeadersCount headers and drops the rest silently; a request that
    // sent more is refused instead of being served with some of its headers missing.
    if (req.rawHeaders.length > maxRaw) return refuse(res, 431, `Too many request headers (limit ${maxHeadersCount})`);
    listener(req, res);
  };
}

// Connection: close, so that nothing sent after a refused request is parsed as another one.
function refuse(res: ServerResponse, status: number, detail: string): void {
  const body = JSON.stringify({ detail });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
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
