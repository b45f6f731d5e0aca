import { Readable, Transform, type TransformCallback } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { HTTPException } from "../common/http-exception.ts";
import { ClientDisconnected } from "./signals.ts";

/** 413 for a body over `limit`; the rest is never read, so the connection is not reused. */
export function bodyTooLarge(limit: number): HTTPException {
  return new HTTPException(413, `Request body is larger than ${limit} bytes`, { connection: "close" });
}

/**
 * The request body as decoded bytes: `content-encoding` (gzip, deflate, br) undone, and the
 * limit counted on the decoded bytes, so a small compressed body cannot inflate past it
 * (docs/reliability.md row 7). Reading stops at the first byte over the limit.
 *
 * `gone()` tells a client that left (the source errors with "aborted") from a real failure.
 */
export function decodedBody(source: Readable, encoding: string | undefined, limit: number, gone: () => boolean): Readable {
  const decoder = decoderFor(encoding);
  const counted = new LimitStream(limit);
  const fail = (error: unknown) => counted.destroy(gone() ? new ClientDisconnected() : toError(error));
  source.once("error", fail);
  if (decoder === undefined) {
    source.pipe(counted);
  } else {
    decoder.once("error", () => counted.destroy(new HTTPException(400, `The body is not valid ${encoding} data`)));
    source.pipe(decoder).pipe(counted);
  }
  counted.once("close", () => {
    // Stop pulling from the socket once the body is refused or abandoned.
    source.unpipe();
    decoder?.destroy();
    if (!source.readableEnded) source.pause();
  });
  return counted;
}

/** Reads a decoded body to its end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case "":
    case "identity":
      return undefined;
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate();
    case "br":
      return createBrotliDecompress();
    default:
      throw new HTTPException(415, `Unsupported Content-Encoding: ${encoding}`);
  }
}

class LimitStream extends Transform {
  readonly #limit: number;
  #size = 0;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#size += chunk.length;
    if (this.#size > this.#limit) return done(bodyTooLarge(this.#limit));
    done(null, chunk);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** An empty body, for requests that carry none. */
export function emptyBody(): Readable {
  return Readable.from([]);
}
