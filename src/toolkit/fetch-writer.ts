import { statusHasNoBody } from "../common/status.ts";
import { validHeader, wireValue, type OutgoingHeaders } from "./header-check.ts";
import { SpryResponse, type ResponseLike } from "./response.ts";

/**
 * The final response of a request as the Fetch API Response a host hands back: a Fetch
 * Response as it is, a SpryResponse as finalize() left it (its headers checked by
 * server-errors.ts, so the Fetch path refuses exactly what node:http does).
 */
export function toFetchResponse(response: ResponseLike, hostWritesLength = false): Response {
  if (!(response instanceof SpryResponse)) return encoded(response);
  const body = response.body;
  if (hostWritesLength && (typeof body === "string" || body instanceof Uint8Array)) {
    const init = typedInit(response.status, response.headers);
    if (init !== undefined) return new Response(body as BodyInit, init);
  }
  return new Response(body as BodyInit | null, { status: response.status, headers: headerInit(response.headers) });
}

/**
 * The Response of a SpryResponse that finalize() would leave as it is but for its length, for
 * a host that writes a text or byte body's length itself (Bun.serve), and for a request other
 * than HEAD: a body, a status that has one, and no header but its content type. Else undefined.
 * Its one header is checked as server-errors.ts checks every header, once per content type
 * (the cache below holds only types that passed): spry's own JSON responses are all of this
 * shape, and dispatch's direct path (app.bun's routes) hands them back without the check and
 * finalize(), which cost about as much as the rest of the path of a response.
 */
export function checkedTypedResponse(response: SpryResponse): Response | undefined {
  const body = response.body;
  const status = response.status;
  if ((typeof body !== "string" && !(body instanceof Uint8Array)) || statusHasNoBody(status)) return undefined;
  const headers = response.headers;
  let type: string | number | string[] | undefined;
  let seen = false;
  for (const name in headers) {
    if (name !== "content-type" || seen) return undefined;
    seen = true;
    type = headers[name];
  }
  if (typeof type !== "string") return undefined;
  let init: ResponseInit | undefined;
  if (type === lastType && status === lastStatus) init = lastInit;
  else {
    if (!validHeader("content-type", type)) return undefined;
    init = typedInit(status, headers);
    if (init === undefined) return undefined;
    lastType = type;
    lastStatus = status;
    lastInit = init;
  }
  return new Response(body as BodyInit, init);
}

// The last init checkedTypedResponse used: a route answers with the same type and status again
// and again, and a string compare of the same string is cheaper than the cache's two lookups.
let lastType: string | undefined;
let lastStatus = 0;
let lastInit: ResponseInit | undefined;

// The init of a response whose only headers are its content type and length, for a host that
// writes the length from a text or byte body itself (Bun.serve: app.bun): one per status and
// type, shared by every such response. On Bun a Response from a shared init costs less than
// one from a fresh headers object (about 4% of `/fast_task/`'s CPU in paired runs), and less
// again when the shared headers are a Headers rather than a plain object (Bun 1.4: about 120 ns
// a Response in-process). The init is itself a Response without a body, which a Response takes
// as its init as it takes any object with a status and headers: Bun 1.4.5 then copies the
// template's own status and headers instead of reading a plain init's properties and its
// Headers, 50-70 ns less a Response (in-process, 400,000 of each, CPU time, 8 rounds: 196-276
// against 259-361 ns). Each Response copies them, so changing one leaves the others alone.
const typedInits = new Map<string, Map<number, ResponseInit>>();
const MAX_TYPED_INITS = 64;
let typedInitCount = 0;

function typedInit(status: number, headers: OutgoingHeaders): ResponseInit | undefined {
  let type: string | number | string[] | undefined;
  let count = 0;
  for (const name in headers) {
    if (++count > 2) return undefined;
    if (name === "content-type") type = headers[name];
    else if (name !== "content-length") return undefined;
  }
  if (typeof type !== "string" || wireValue(type) !== type) return undefined;
  let byStatus = typedInits.get(type);
  let init = byStatus?.get(status);
  if (init !== undefined) return init;
  init = new Response(null, { status, headers: new Headers({ "content-type": type }) });
  // A content type can come from input: the cache stays small whatever responses carry.
  if (typedInitCount < MAX_TYPED_INITS) {
    if (byStatus === undefined) typedInits.set(type, (byStatus = new Map()));
    byStatus.set(status, init);
    typedInitCount++;
  }
  return init;
}

// The response's own headers object when the Fetch API can take it as it is (every value
// ASCII text or a number, which Headers turns into text), else a list. The object spares a
// list and an array per header: on Bun, a Response from a two-header object costs about 0.4 µs
// less than from the same headers as a list (bench/HISTORY.md, "Bun fast").
function headerInit(headers: OutgoingHeaders): HeadersInit {
  for (const name in headers) {
    const value = headers[name]!;
    if (typeof value === "number") continue;
    if (typeof value !== "string" || wireValue(value) !== value) return headerList(headers);
  }
  return headers as Record<string, string>;
}

// Repeated header lines (several set-cookie) stay separate, as Headers needs them.
function headerList(headers: OutgoingHeaders): [string, string][] {
  const list: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name]!;
    if (Array.isArray(value)) for (const v of value) list.push([name, wireValue(v)]);
    else list.push([name, typeof value === "string" ? wireValue(value) : String(value)]);
  }
  return list;
}

// A Response's header values are text like every other header's: as UTF-8, as node-writer.ts
// sends them. The same Response when every value is ASCII, the common case.
function encoded(response: Response): Response {
  let headers: Headers | undefined;
  for (const [name, value] of response.headers) {
    const wire = wireValue(value);
    if (wire === value) continue;
    headers ??= new Headers(response.headers);
    if (name === "set-cookie") {
      headers.delete("set-cookie");
      for (const cookie of response.headers.getSetCookie()) headers.append("set-cookie", wireValue(cookie));
    } else headers.set(name, wire);
  }
  return headers === undefined ? response : new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
