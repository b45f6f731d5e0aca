import type { ServerResponse } from "node:http";
import { flatString } from "../common/flat-string.ts";

/**
 * The fields of node:http's OutgoingMessage and ServerResponse that decide how its
 * _storeHeader (lib/_http_outgoing.js) ends a head: the Date line, the connection's lines and
 * the body's framing. The same in Node 22, 24 and 26.
 */
export type NodeHeadState = ServerResponse & {
  _header: string | null;
  _headerSent: boolean;
  _hasBody: boolean;
  _contentLength: number | null;
  _last: boolean;
  _removedConnection: boolean;
  _removedContLen: boolean;
  _keepAliveTimeout: number;
  _defaultKeepAlive: boolean;
  _maxRequestsPerSocket: number | undefined;
  maxRequestsOnConnectionReached: boolean;
  chunkedEncoding: boolean;
};

// Only the Node majors whose writeHead and _storeHeader were read for this (lib/_http_server.js
// and lib/_http_outgoing.js of 22, 24 and 26 treat a head without headers of the caller's
// alike); on any other, server-response.ts leaves every head to writeHead.
const major = Number(process.versions.node.split(".")[0]);
export const endsHeadsAsNode = major >= 22 && major <= 26;

/**
 * Ends the head of a response whose header lines are all in `head` (its status line and the
 * lines spry checked, none that node:http reads: server-response.ts) and whose body node frames
 * by `_contentLength`, as node's _storeHeader would: its Date, keep-alive or close (and `_last`
 * for a connection to close), Content-Length. True when stored; false, with nothing changed,
 * for any state that takes another branch there (a removed header, chunked encoding, no body,
 * no date, no length), which the caller hands to _storeHeader itself.
 *
 * _storeHeader builds these lines anew for every response: a state object, a call to read
 * the server's header validation mode, the keep-alive line with its timeout formatted, the
 * Date line in three joins. Here the Date and keep-alive lines are made once a second and once
 * per keep-alive setting (Node 26 caches both the same way), about 300 instructions of a
 * `/fast_task/` response (bench/http-callgrind.mjs).
 */
export function storeLengthHead(res: NodeHeadState, head: string): boolean {
  const length = res._contentLength;
  if (typeof length !== "number" || !res.sendDate || res.chunkedEncoding || res._removedConnection || res._removedContLen || !res._hasBody || !res.useChunkedEncodingByDefault) return false;
  let connection: string;
  if (!res.shouldKeepAlive) {
    res._last = true;
    connection = "Connection: close\r\n";
  } else if (res.maxRequestsOnConnectionReached) connection = "Connection: close\r\n";
  else connection = keepAliveLines(res);
  res._header = head + endLines(connection, length);
  res._headerSent = false;
  return true;
}

// The head's last lines (Date, the connection's, Content-Length) for the last three met, joined
// once and flattened: a server's responses in one second share the first two, and a route's
// often the length too, where each head joined them anew, four joins and as many strings made
// (callgrind, bench/http-callgrind.mjs).
let endDate: string | undefined;
let endConnection = "";
let endLength = -1;
let ends = "";
function endLines(connection: string, length: number): string {
  const date = dateLine();
  if (date !== endDate || connection !== endConnection || length !== endLength) {
    endDate = date;
    endConnection = connection;
    endLength = length;
    ends = flatString(date + connection + "Content-Length: " + length + "\r\n\r\n");
  }
  return ends;
}

// The Date line, remade in the first response of each second, as node's own cache is
// (lib/internal/http.js): cleared by an unreferenced timer at the next second.
let date: string | undefined;
function dateLine(): string {
  if (date !== undefined) return date;
  const now = new Date();
  date = `Date: ${now.toUTCString()}\r\n`;
  setTimeout(clearDate, 1000 - now.getMilliseconds()).unref();
  return date;
}
function clearDate(): void {
  date = undefined;
}

// The keep-alive lines for the last setting met (a server has one).
let keepAliveTimeout = -1;
let keepAliveMax = -1;
let keepAlive = "Connection: keep-alive\r\n";
function keepAliveLines(res: NodeHeadState): string {
  if (!res._keepAliveTimeout || !res._defaultKeepAlive) return "Connection: keep-alive\r\n";
  const timeout = res._keepAliveTimeout;
  const max = ~~(res._maxRequestsPerSocket ?? 0);
  if (timeout !== keepAliveTimeout || max !== keepAliveMax) {
    keepAliveTimeout = timeout;
    keepAliveMax = max;
    keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(timeout / 1000)}${max > 0 ? `, max=${max}` : ""}\r\n`;
  }
  return keepAlive;
}
