import { Readable, pipeline, type Transform } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { brotliCompressSync, constants, createBrotliCompress, createGzip, gzipSync } from "node:zlib";
import type { Middleware } from "../middleware.ts";
import type { SpryResponse } from "../response.ts";
import { statusHasNoBody } from "../../common/status.ts";
import { negotiate } from "./accept-encoding.ts";
import { addVary, getHeader, removeHeader, replaceHeader } from "./headers.ts";

export type Encoding = "br" | "gzip";

export interface CompressOptions {
  /** Bodies smaller than this many bytes are sent as they are. Default: 500, as Starlette. */
  minimumSize?: number;
  /** gzip's level, 1 (fastest) to 9 (smallest). Default: 9, as Starlette. */
  gzipLevel?: number;
  /** Brotli's quality, 0 to 11. Default: 4; 11 is for files compressed ahead of time, far too slow per request. */
  brotliQuality?: number;
  /** The codings offered, preferred first when a client weighs them equally. Default: `["br", "gzip"]`. */
  encodings?: readonly Encoding[];
}

/**
 * Compresses responses with Brotli or gzip, whichever the client's Accept-Encoding weighs
 * highest (Brotli on a tie), like Starlette's GZipMiddleware plus Brotli. A string or byte
 * body of at least `minimumSize` bytes is compressed in one go; a streamed body is piped
 * through zlib and flushed chunk by chunk, so it still streams. Left alone: responses already
 * encoded, `text/event-stream` (server-sent events must arrive unbuffered), `Cache-Control:
 * no-transform`, partial content, 204, 304 and answers to HEAD. A compressed response gets
 * `Content-Encoding`, `Vary: Accept-Encoding`, a weak ETag, and no stale Content-Length.
 *
 * @example
 * app.use(compress({ minimumSize: 1000 }));
 */
export function compress(options: CompressOptions = {}): Middleware {
  const minimumSize = options.minimumSize ?? 500;
  const gzipLevel = options.gzipLevel ?? 9;
  const brotliQuality = options.brotliQuality ?? 4;
  const encodings = options.encodings ?? ["br", "gzip"];

  const compressed = (encoding: Encoding, body: Uint8Array): Uint8Array =>
    encoding === "gzip"
      ? gzipSync(body, { level: gzipLevel })
      : brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } });

  // A flush after every chunk the source yields: zlib would otherwise hold small chunks back
  // until it has a block's worth, and a stream of events would arrive all at once at the end.
  const compressor = (encoding: Encoding): Transform =>
    encoding === "gzip"
      ? createGzip({ level: gzipLevel, flush: constants.Z_SYNC_FLUSH })
      : createBrotliCompress({ flush: constants.BROTLI_OPERATION_FLUSH, params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality } });

  return async (request, next) => {
    if (request.method === "HEAD") return next();
    const accepted = request.header("accept-encoding");
    const res = await next();
    const body = compressible(res, minimumSize);
    if (body === undefined) return res;
    addVary(res.headers, "Accept-Encoding");
    const encoding = accepted === undefined ? undefined : negotiate(accepted, encodings);
    if (encoding === undefined) return res;
    res.body = body instanceof ReadableStream ? compressStream(body, compressor(encoding)) : compressed(encoding, body);
    replaceHeader(res.headers, "content-encoding", encoding);
    removeHeader(res.headers, "content-length");
    // The compressed bytes are not the ones a strong ETag promised (as nginx does).
    const etag = getHeader(res.headers, "etag");
    if (etag !== undefined && !etag.startsWith("W/")) replaceHeader(res.headers, "etag", `W/${etag}`);
    return res;
  };
}

// The body as bytes or a stream when this response should be compressed; undefined when not.
function compressible(res: SpryResponse, minimumSize: number): Uint8Array | ReadableStream<Uint8Array> | undefined {
  const { body, headers } = res;
  if (body === null || statusHasNoBody(res.status) || res.status === 206) return undefined;
  if (getHeader(headers, "content-encoding") !== undefined || getHeader(headers, "content-range") !== undefined) return undefined;
  if (getHeader(headers, "content-type")?.trimStart().toLowerCase().startsWith("text/event-stream")) return undefined;
  if (getHeader(headers, "cache-control")?.toLowerCase().includes("no-transform")) return undefined;
  if (body instanceof ReadableStream) {
    const declared = getHeader(headers, "content-length");
    return declared !== undefined && Number(declared) < minimumSize ? undefined : body;
  }
  if (typeof body !== "string") return body.byteLength < minimumSize ? undefined : body;
  // Counted before encoding, so that small answers, the usual case, allocate nothing.
  return Buffer.byteLength(body) < minimumSize ? undefined : Buffer.from(body);
}

// Cancelling the result (the client left) destroys the compressor, and pipeline() then
// cancels the source, so a generator behind it is closed rather than left running.
function compressStream(body: ReadableStream<Uint8Array>, zip: Transform): ReadableStream<Uint8Array> {
  pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), zip, () => {});
  return Readable.toWeb(zip) as unknown as ReadableStream<Uint8Array>;
}
