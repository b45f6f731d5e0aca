import type { ServerResponse } from "node:http";
import { WRITE_CHECKED_HEAD, type CheckedHeadWriter, type WriteCheckedHead } from "../common/checked-head.ts";
import { flatString } from "../common/flat-string.ts";
import { textLength } from "../common/length-text.ts";
import { requestFacts } from "../common/request-facts.ts";
import { wireHeaders, wireHeaderValue, wireValue, type OutgoingHeaders } from "./header-check.ts";
import { nodeSource, pipeNodeBody } from "./node-body.ts";
import { SpryResponse, type ResponseLike } from "./response.ts";

/**
 * Writes the final response of a request to node:http, once: status, headers (server-errors.ts
 * has checked them, so none can split the response), then the body, as finalize() left it (Content-Length set, HEAD and 204/304 bodies dropped). Bytes and
 * text go out in one write; a stream, or a Fetch Response's body, is piped with backpressure,
 * and if the client leaves mid-stream writing stops and the body's source is cancelled, so a
 * generator behind it is closed rather than left running. Synchronous unless the body streams.
 */
export function writeNode(res: ServerResponse, response: ResponseLike): void | Promise<void> {
  if (!(response instanceof SpryResponse)) return writeFetchResponse(res, response);
  const { status, headers, body } = response;
  if (res.headersSent || res.destroyed) {
    if (body instanceof ReadableStream) return body.cancel();
    return;
  }
  if (body === null || typeof body === "string" || body instanceof Uint8Array) {
    // The id spry's server gave the request (server/access-log.ts) goes into this header list,
    // not set on `res` beforehand: a head set in part with setHeader makes writeHead merge the
    // two lists header by header (server/server-response.ts). The response's own id wins.
    const id = requestFacts(res.req)?.requestId;
    const writeChecked = (res as CheckedHeadWriter)[WRITE_CHECKED_HEAD];
    // Header values are text, sent as UTF-8 (docs/responses.md); ASCII ones are left as they are.
    let encoded: boolean;
    if (writeChecked !== undefined) encoded = writeCheckedHead(res, writeChecked, status, headers, id, body !== null);
    else {
      const wire = wireHeaders(headers);
      encoded = wire !== headers;
      if (id !== undefined) wire["x-request-id"] ??= id;
      res.writeHead(status, wire);
    }
    if (body === null) res.end();
    else if (typeof body !== "string") res.end(body);
    // node:http writes the head and a string body as one string, in the body's encoding. An
    // ASCII body (its UTF-8 length, finalize()'s Content-Length, is its length) is its own
    // latin1 bytes: so written, the string is copied out, where as UTF-8 it is measured and
    // converted (about 500 instructions of a `/fast_task/` response, callgrind), and a head
    // whose values were encoded goes out byte for byte, as it must.
    else if (asciiBody(body, headers["content-length"])) res.end(body, "latin1");
    // UTF-8 would encode an encoded head's bytes a second time; with a Buffer body the head
    // goes out byte for byte.
    else res.end(encoded ? Buffer.from(body) : body);
    return;
  }
  return writeStream(res, response as SpryResponse & { body: ReadableStream<Uint8Array> });
}

/** Whether `body`, whose Content-Length finalize() wrote as `length`, is all ASCII. */
function asciiBody(body: string, length: string | number | string[] | undefined): boolean {
  return typeof length === "string" && textLength(length) === body.length;
}

// The headers node:http reads as it builds the head (its matchHeader: the message's framing,
// keep-alive, its own Date) or writes in a way of its own (a cookie list joined with "; "):
// these still go through writeHead.
const NODE_READS = new Set(["connection", "transfer-encoding", "date", "expect", "trailer", "keep-alive", "cookie"]);

// The last content type written as it is, and its line, made flat once: a route answers with
// the same type again and again, and reusing its line spares its encoding test, its lookup among
// NODE_READS and two joins a response.
let lastType = "";
let lastTypeLine = "content-type: \r\n";

// The response's headers, every one checked by server-errors.ts, as the lines of the head, but
// for those node:http must see; the request's id added unless the response has its own.
// `measured`: there is a body, whose length finalize() wrote (as digits); a length with no body
// (HEAD's, one the handler declared) node:http sees as it is. Each value is encoded as
// wireHeaders() would encode it, in this one walk of the headers rather than a walk of its own
// before it (about 430 instructions of a `/slow_task/` request, bench/http-callgrind.mjs); the
// measured length is not written by this code, so it needs no encoding. Returns whether any
// value was encoded.
function writeCheckedHead(res: ServerResponse, writeChecked: WriteCheckedHead, status: number, headers: OutgoingHeaders, id: string | undefined, measured: boolean): boolean {
  let lines = "";
  let length: number | undefined;
  let read: OutgoingHeaders | undefined;
  let encoded = false;
  for (const name in headers) {
    const value = headers[name]!;
    if (name === "content-length" && measured) {
      length = typeof value === "string" ? textLength(value) : Number(value);
      continue;
    }
    if (value === lastType && name === "content-type") {
      lines += lastTypeLine;
      continue;
    }
    const wire = typeof value === "number" ? value : wireHeaderValue(value);
    if (wire !== value) encoded = true;
    if (name === "content-length" || NODE_READS.has(name)) (read ??= {})[name] = wire;
    else if (typeof wire === "object") for (const one of wire) lines += `${name}: ${one}\r\n`;
    else {
      const line = `${name}: ${wire}\r\n`;
      lines += line;
      if (name === "content-type" && typeof wire === "string" && wire === value) {
        lastType = value;
        // Flat, as every head that reuses it walks it (common/flat-string.ts).
        lastTypeLine = flatString(line);
      }
    }
  }
  if (id !== undefined && headers["x-request-id"] === undefined) lines += `x-request-id: ${id}\r\n`;
  writeChecked.call(res, status, lines, length, read);
  return encoded;
}

function writeStream(res: ServerResponse, response: SpryResponse & { body: ReadableStream<Uint8Array> }): Promise<void> {
  res.statusCode = response.status;
  const headers = wireHeaders(response.headers);
  for (const name in headers) res.setHeader(name, headers[name]!);
  return pipeBody(res, response.body);
}

function writeFetchResponse(res: ServerResponse, response: Response): Promise<void> | void {
  if (res.headersSent || res.destroyed) return response.body?.cancel();
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  // A Response's header values are text like every other header's (docs/responses.md).
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, wireValue(value));
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies.map(wireValue));
  if (response.body === null) {
    res.end();
    return;
  }
  return pipeBody(res, response.body);
}

function pipeBody(res: ServerResponse, body: ReadableStream<Uint8Array>): Promise<void> {
  // A file's body that nothing has read yet: its node stream goes straight to the socket.
  const source = nodeSource(body);
  return source === undefined ? pipeWebBody(res, body) : pipeNodeBody(res, source);
}

async function pipeWebBody(res: ServerResponse, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  const onClose = () => void reader.cancel().catch(() => {});
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    // The source failed mid-stream: the status line is gone, so the only honest signal
    // left to the client is an aborted connection.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  } finally {
    res.off("close", onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
