import { lengthText } from "../common/length-text.ts";
import { statusHasNoBody } from "../common/status.ts";
import { InvalidHeaderError, validHeader, type OutgoingHeaders } from "./header-check.ts";

export type { OutgoingHeaders } from "./header-check.ts";

/** What a response may carry: nothing, text (sent as UTF-8), bytes, or a stream of bytes. */
export type ResponseBody = string | Uint8Array | ReadableStream<Uint8Array> | null;

/**
 * A response as a value: what endpoints, exception handlers and middleware return, and what
 * middleware reads and changes after `next()`. Nothing is written until dispatch has the final
 * one; then the transport's writer writes it once. Header names are lower case; an array
 * value is sent as repeated header lines (several `set-cookie`). `content-length` is set from
 * a string or byte body when it is written.
 *
 * @example
 * const hello: Middleware = async (request, next) => {
 *   const response = await next();
 *   response.headers["x-served-by"] = "spry";
 *   return response;
 * };
 */
export class SpryResponse {
  status: number;
  headers: OutgoingHeaders;
  body: ResponseBody;

  constructor(status: number, headers: OutgoingHeaders, body: ResponseBody) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /**
   * Sets a header, replacing it. A name or value that could split the response (CR, LF,
   * another control character) throws InvalidHeaderError here, where the caller can be found.
   */
  setHeader(name: string, value: string | string[]): this {
    const key = name.toLowerCase();
    if (!validHeader(key, value)) throw new InvalidHeaderError(key);
    this.headers[key] = value;
    return this;
  }

  /**
   * A Fetch API Response as a SpryResponse (its body still a stream, not read), for middleware
   * to read and change. Done only when middleware is there to see it.
   */
  static from(response: Response): SpryResponse {
    const headers: OutgoingHeaders = {};
    for (const [name, value] of response.headers) if (name !== "set-cookie") headers[name] = value;
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    return new SpryResponse(response.status, headers, response.body);
  }
}

/** What may stand for a response: a SpryResponse, or a Fetch API Response sent as it is. */
export type ResponseLike = SpryResponse | Response;

/**
 * A JSON response from text already serialized: the one place spry's JSON answers are made
 * (route results, HTTPException bodies, the 500, the OpenAPI document), so they all carry the
 * same content type.
 */
export function jsonText(status: number, text: string, headers?: Record<string, string | string[]>): SpryResponse {
  // A fresh headers object per response: middleware may change it.
  return new SpryResponse(status, headers === undefined ? { "content-type": "application/json" } : { ...lowerCased(headers), "content-type": "application/json" }, text);
}

/** A JSON response of `value`, serialized with JSON.stringify. */
export function jsonResponse(status: number, value: unknown, headers?: Record<string, string | string[]>): SpryResponse {
  return jsonText(status, JSON.stringify(value) ?? "null", headers);
}

/** A plain-text response, UTF-8. */
export function textResponse(status: number, text: string, headers?: OutgoingHeaders): SpryResponse {
  return new SpryResponse(status, { "content-type": "text/plain; charset=utf-8", ...headers }, text);
}

/** A response with no body: a redirect, a 204. */
export function emptyResponse(status: number, headers: OutgoingHeaders = {}): SpryResponse {
  return new SpryResponse(status, headers, null);
}

/**
 * The response as it goes on the wire, decided once for both transports: Content-Length from a
 * text or byte body (0 for none), no body for 204, 304 and 1xx, and for a HEAD request the
 * GET response's headers, its length included, without the body (RFC 9110 section 9.3.2).
 * A stream whose body will not be sent is cancelled.
 */
export function finalize(response: ResponseLike, head: boolean): ResponseLike {
  if (!(response instanceof SpryResponse)) {
    if (!head || response.body === null) return response;
    response.body.cancel().catch(() => {});
    return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
  const body = response.body;
  // The length as text: node:http's check of a header value is a regular expression, and given a
  // number its call site in node went the generic way (a conversion first) for every header of
  // the response, about 600 instructions of a `/slow_task/` request (callgrind); Fastify sets it
  // as text too.
  if (statusHasNoBody(response.status)) {
    cancelBody(body);
    response.body = null;
  } else if (typeof body === "string") {
    response.headers["content-length"] = lengthText(Buffer.byteLength(body));
    if (head) response.body = null;
  } else if (body instanceof Uint8Array) {
    response.headers["content-length"] = lengthText(body.byteLength);
    if (head) response.body = null;
  } else if (body === null) {
    response.headers["content-length"] ??= "0";
  } else if (head) {
    cancelBody(body);
    response.body = null;
  }
  return response;
}

/** Closes a body's source that nothing will read now, so a generator behind it stops. */
export function cancelBody(body: ResponseBody | undefined): void {
  if (body instanceof ReadableStream) body.cancel().catch(() => {});
}

// HTTPException and json() headers come as the user spelled them; a response's are lower case,
// so that middleware finds each one under one name.
function lowerCased(headers: Record<string, string | string[]>): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name]!;
  return out;
}
