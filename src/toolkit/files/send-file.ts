import { createRequire } from "node:module";
import type { SendOptions, SendResult } from "@fastify/send";
import { stat as statFile, type Stats } from "node:fs";
import type { Readable } from "node:stream";
import { HTTPException } from "../../common/http-exception.ts";
import type { OutgoingHeaders } from "../header-check.ts";
import { nodeBody } from "../node-body.ts";
import type { FileCache } from "./file-cache.ts";

/**
 * What answering with a file needs from the request: its method and the headers of a
 * conditional or ranged GET. A spry Context and a Fetch Request both fit.
 */
export type FileRequest = Request | { readonly method: string; header(name: string): string | undefined };

// The only request headers the file-serving core reads. It tests them with `in`, so an absent
// header must be absent from the object, not undefined.
const CONDITIONAL = ["if-match", "if-unmodified-since", "if-none-match", "if-modified-since", "if-range", "cache-control"] as const;

/**
 * More ranges than this and the Range header is ignored: the whole file is sent with 200, as
 * RFC 9110 allows. Browsers and download managers ask for one; a header listing thousands is
 * only ever an attack on the parser and the disk (docs/reliability.md row 18).
 */
export const MAX_RANGES = 16;

/** What the file core is told about one request: the headers object it reads, and the method. */
function requestFor(request: FileRequest, acceptRanges: boolean): { method: string; headers: Record<string, string> } {
  const read = request instanceof Request ? (name: string) => request.headers.get(name) ?? undefined : (name: string) => request.header(name);
  const headers: Record<string, string> = {};
  for (const name of CONDITIONAL) {
    const value = read(name);
    if (value !== undefined) headers[name] = value;
  }
  const range = acceptRanges ? read("range") : undefined;
  if (range !== undefined && countRanges(range) <= MAX_RANGES) headers.range = range;
  return { method: request.method, headers };
}

function countRanges(range: string): number {
  let count = 1;
  for (let i = range.indexOf(","); i !== -1 && count <= MAX_RANGES; i = range.indexOf(",", i + 1)) count++;
  return count;
}

/** Thrown by a file check (the symlink guard) to answer 404 without saying why. */
export class FileRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "FileRefused";
  }
}

export interface SendFileOptions extends Pick<SendOptions, "maxAge" | "immutable" | "etag" | "lastModified" | "acceptRanges" | "cacheControl" | "dotfiles" | "index" | "extensions"> {
  /** Called with the file's absolute path and stat before it is opened; throw FileRefused to answer 404. */
  check?: (path: string, stat: Stats) => void | Promise<void>;
  /** Leave the content type out (a precompressed sibling takes its original's). */
  contentType?: boolean;
}

/** The file core's options for one root, made once (per mount, for staticFiles()), not per request. */
export interface PreparedSend {
  readonly options: SendOptions;
  readonly acceptRanges: boolean;
  readonly check: SendFileOptions["check"];
  /** Small files' bytes, served without the file core while they stay unchanged on disk. */
  readonly cache: FileCache | undefined;
}

export function prepareSend(root: string, options: SendFileOptions = {}, cache?: FileCache): PreparedSend {
  const { check, ...rest } = options;
  const sendOptions: SendOptions = { ...rest, root };
  // Only a regular file is served, as Starlette's StaticFiles does: a FIFO would hold a thread
  // of libuv's pool in open() until some writer came, and a socket or a device is no page.
  sendOptions.onFile = (path, stat) => {
    if (!stat.isFile()) throw new FileRefused(`${path} is not a regular file`);
    return check?.(path, stat);
  };
  // With extensions, a path's file depends on which files exist: never remembered.
  const cacheable = cache !== undefined && (options.extensions === undefined || options.extensions === false || (Array.isArray(options.extensions) && options.extensions.length === 0));
  return { options: sendOptions, acceptRanges: options.acceptRanges !== false, check, cache: cacheable ? cache : undefined };
}

/** A file found (200, 206, 304 or a HEAD), or a directory where a file was asked for. */
export type Sent =
  | {
      readonly type: "file";
      readonly status: number;
      /** Lower case, as a SpryResponse's; Content-Length a number. */
      readonly headers: OutgoingHeaders;
      /**
       * The file's bytes (none for a 304 or a HEAD): a stream read only when something reads it,
       * or, for a small file the prepared cache keeps, the bytes themselves (shared: not to be
       * changed in place).
       */
      readonly body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;
      readonly path: string;
    }
  | { readonly type: "directory" };

// The file core's header names, as a SpryResponse keeps them.
const LOWER: Readonly<Record<string, string>> = {
  "Accept-Ranges": "accept-ranges",
  "Cache-Control": "cache-control",
  "Last-Modified": "last-modified",
  ETag: "etag",
  "Content-Type": "content-type",
  "Content-Range": "content-range",
  "Content-Length": "content-length",
};

/**
 * Answers `request` with the file at `encodedPath` (still percent-encoded, as in the URL) under
 * the prepared root, on @fastify/send: content type from its MIME table, ETag and Last-Modified,
 * 304, 412, a single Range with 206 or 416, HEAD. The answer's body streams the file; an error
 * is thrown as HTTPException (404 for anything missing or refused, including a path that climbs
 * out of the root: nobody learns what exists outside).
 *
 * Chosen over `send` (the Express one) because this fork returns the status, headers and stream
 * as values instead of writing to a node:http response, which is what a response value needs.
 * The answer is the status, plain headers and the body rather than a Fetch Response: over
 * node:http a Headers and a Response per file, then copied onto the node response, were 4% of
 * the CPU of a 1 KB file (bench/HISTORY.md, static files).
 */
export async function sendFile(request: FileRequest, encodedPath: string, prepared: PreparedSend): Promise<Sent> {
  const cache = prepared.cache;
  const plain = cache !== undefined && isPlain(request, prepared.acceptRanges);
  if (plain) {
    const hit = await fromCache(cache, request.method, encodedPath, prepared);
    if (hit !== undefined) return hit;
  }
  const lookedAt = plain ? Date.now() : 0;
  let result: SendResult;
  try {
    result = await fastifySend().send(requestFor(request, prepared.acceptRanges) as never, encodedPath, prepared.options);
  } catch (error) {
    if (error instanceof FileRefused) throw new HTTPException(404, "Not Found");
    throw error;
  }
  if (result.type === "directory") {
    result.stream.destroy();
    return { type: "directory" };
  }
  if (result.type === "error") {
    result.stream.destroy();
    throw errorFor(result.statusCode, result.headers, result.metadata.error);
  }
  const headers: OutgoingHeaders = {};
  const sent = result.headers as Record<string, string | number>;
  for (const name in sent) headers[LOWER[name] ?? name.toLowerCase()] = sent[name]!;
  const path = result.metadata.path;
  const empty = result.statusCode === 304 || request.method === "HEAD";
  if (empty) {
    result.stream.destroy();
    return { type: "file", status: result.statusCode, headers, body: null, path };
  }
  const stat = result.metadata.stat;
  if (plain && result.statusCode === 200 && cache.fits(stat.size)) {
    // Read whole now, before the status line: a file that cannot be read is an error answered
    // as one (500), not a connection cut after a 200.
    const bytes = await readAll(result.stream).catch(openFailed);
    if (bytes.byteLength === stat.size) cache.store(encodedPath, path, stat, headers, bytes, lookedAt);
    // Changed while it was read: these bytes are sent as they are, remembered by nobody.
    else headers["content-length"] = bytes.byteLength;
    return { type: "file", status: 200, headers, body: bytes, path };
  }
  // Opened before the status line, as above: a file that cannot be opened is a 500, not a cut.
  await opened(result.stream).catch(openFailed);
  return { type: "file", status: result.statusCode, headers, body: nodeBody(result.stream), path };
}

/** A file gone between its stat and its open is missing (404); anything else is a fault (500). */
function openFailed(error: NodeJS.ErrnoException): never {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") throw new HTTPException(404, "Not Found");
  throw error;
}

function opened(stream: Readable): Promise<void> {
  if ((stream as Readable & { pending?: boolean }).pending !== true) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.once("error", reject);
    stream.once("ready", () => {
      stream.off("error", reject);
      resolve();
    });
  });
}

// The request headers that make a GET's answer other than the file's 200 (a 304, 412 or 206).
const CONDITIONS = ["if-match", "if-unmodified-since", "if-none-match", "if-modified-since"] as const;

/** True if the answer is the file's 200 (or its HEAD), whatever the file: the answer a cache may give. */
function isPlain(request: FileRequest, acceptRanges: boolean): boolean {
  const read = request instanceof Request ? (name: string) => request.headers.get(name) ?? undefined : (name: string) => request.header(name);
  for (const name of CONDITIONS) if (read(name) !== undefined) return false;
  return !acceptRanges || read("range") === undefined;
}

/**
 * The cached answer for `encodedPath`, if the file is still the one cached: one stat instead of
 * the file core's stat, open, read and close (four calls on libuv's thread pool) and a read
 * stream piped to the socket. Hand-written beside @fastify/send because it has no cache, and
 * this is what put a 1 KB file clearly below @fastify/static's cost (which is send's): 11.8
 * system calls a request instead of 36.5 (strace -c -f over 2,000 requests on one keep-alive
 * connection), and in paired bursts (bench/realtime-ab.mjs --before main, then --versus
 * fastify) about a third of the server's CPU per request of either. Anything else (a file
 * missing now, or changed) is left to the file core, which answers as it would with no cache.
 */
async function fromCache(cache: FileCache, method: string, encodedPath: string, prepared: PreparedSend): Promise<Sent | undefined> {
  const entry = cache.lookup(encodedPath);
  if (entry === undefined) return undefined;
  const stat = await statOf(entry.path);
  if (stat === undefined) cache.forget(entry.path);
  if (stat === undefined || !cache.fresh(entry, stat)) return undefined;
  if (prepared.check !== undefined) {
    try {
      await prepared.check(entry.path, stat);
    } catch (error) {
      cache.forget(entry.path);
      if (error instanceof FileRefused) throw new HTTPException(404, "Not Found");
      throw error;
    }
  }
  return { type: "file", status: 200, headers: { ...entry.headers }, body: method === "HEAD" ? null : entry.bytes, path: entry.path };
}

function statOf(path: string): Promise<Stats | undefined> {
  return new Promise((resolve) => statFile(path, (error, stat) => resolve(error === null ? stat : undefined)));
}

/** A small file's stream read to its end, as one buffer of its own. */
function readAll(stream: Readable): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("error", reject);
    stream.once("end", () => {
      // One allocation of exactly the file's size: a chunk may be a view of a larger buffer,
      // which the cache would keep alive and not count.
      const whole = Buffer.allocUnsafeSlow(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
      let at = 0;
      for (const chunk of chunks) at += chunk.copy(whole, at);
      resolve(whole);
    });
  });
}

/** A file answer as a Fetch API Response (Bun, Deno, staticFiles().fetch, fileResponse()). */
export function fetchResponse(sent: Sent & { type: "file" }, status = sent.status): Response {
  const headers = new Headers();
  for (const name in sent.headers) headers.set(name, String(sent.headers[name]));
  return new Response(sent.body, { status, headers });
}

function errorFor(status: number, headers: Record<string, string>, cause: Error): Error {
  switch (status) {
    case 400:
      return new HTTPException(400, "Bad Request");
    // A dotfile, or a path with `..` that would leave the root: the same answer as a missing
    // file, as Starlette gives.
    case 403:
    case 404:
      return new HTTPException(404, "Not Found");
    case 412:
      return new HTTPException(412, "Precondition Failed");
    case 416:
      return new HTTPException(416, "Range Not Satisfiable", { "content-range": headers["Content-Range"] ?? "" });
    default:
      return cause;
  }
}

// Loaded with the first file sent: @fastify/send and its MIME table are some 5 MB of RSS that an
// app serving no file should not carry.
let sendModule: typeof import("@fastify/send") | undefined;
export function fastifySend(): typeof import("@fastify/send") {
  return (sendModule ??= createRequire(import.meta.url)("@fastify/send") as typeof import("@fastify/send"));
}
