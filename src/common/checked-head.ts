/**
 * The method by which spry's own node:http responses (server/server-response.ts) write a head
 * whose header lines the caller has checked already (toolkit/node-writer.ts, after
 * toolkit/server-errors.ts checked every header of the response): `lines`, each one
 * `name: value\r\n`, go into the head as they are; `length` is the body's Content-Length, and
 * only `headers`, the others node:http itself reads to frame the message (connection,
 * transfer-encoding and the like), pass through node's own validation, which tests every name
 * and value with two regular expressions (about 600 instructions a header,
 * bench/http-callgrind.mjs --functions). Absent on any other response, and on a host whose
 * node:http does not build the head as Node's does (Bun, Deno).
 */
export const WRITE_CHECKED_HEAD = Symbol("spry.writeCheckedHead");

export type WriteCheckedHead = (status: number, lines: string, length: number | undefined, headers: Record<string, string | number | string[]> | undefined) => void;

/** A response that may carry WRITE_CHECKED_HEAD. */
export type CheckedHeadWriter = { [WRITE_CHECKED_HEAD]?: WriteCheckedHead };
