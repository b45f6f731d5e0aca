import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { negotiate } from "../../toolkit/middleware/accept-encoding.ts";
import type { Asset } from "./docs-pages.ts";

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

type Coding = "br" | "gzip";
const CODINGS: readonly Coding[] = ["br", "gzip"];

/**
 * Serves a docs asset (Swagger UI's 1.5 MB bundle, ReDoc's) compressed once per coding and
 * kept, instead of leaving it to `compress()` to recompress on every page load: that cost a
 * third of a second of CPU each time. zlib's asynchronous calls run on libuv's thread pool,
 * so even the first compression does not block the event loop. The response carries its
 * `Content-Encoding`, which `compress()` leaves alone.
 */
export function precompressed(asset: Asset): (acceptEncoding: string | undefined) => Promise<Response> {
  const encoded = new Map<Coding, Promise<Uint8Array>>();
  const encode = (coding: Coding): Promise<Uint8Array> => {
    let bytes = encoded.get(coding);
    if (bytes === undefined) {
      bytes = asset.load().then((raw) =>
        coding === "br"
          ? brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength } })
          : gzipped(raw, { level: 9 }));
      // A failed load (the package is missing) is tried again on the next request.
      bytes.catch(() => encoded.delete(coding));
      encoded.set(coding, bytes);
    }
    return bytes;
  };
  let tag: Promise<string> | undefined;
  const etag = (): Promise<string> => (tag ??= asset.load().then((raw) => createHash("sha256").update(raw).digest("base64url").slice(0, 27)));
  return async (acceptEncoding) => {
    const coding = acceptEncoding === undefined ? undefined : negotiate(acceptEncoding, CODINGS);
    const hash = await etag().catch((error: unknown) => {
      tag = undefined;
      throw error;
    });
    const headers: Record<string, string> = {
      "content-type": asset.contentType,
      // One tag per coding: the bytes differ (RFC 9110 section 8.8.3).
      etag: `"${hash}${coding === undefined ? "" : `-${coding}`}"`,
      // The files change only when the package does; a day of caching spares reloading them.
      "cache-control": "public, max-age=86400",
      vary: "Accept-Encoding",
    };
    if (coding === undefined) return new Response((await asset.load()) as BodyInit, { headers });
    return new Response((await encode(coding)) as BodyInit, { headers: { ...headers, "content-encoding": coding } });
  };
}
