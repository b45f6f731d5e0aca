import { create as contentDisposition } from "content-disposition";
import { basename, dirname, resolve } from "node:path";
import { HTTPException } from "../../common/http-exception.ts";
import { fetchResponse, prepareSend, sendFile, type FileRequest } from "./send-file.ts";

export interface FileResponseOptions {
  /**
   * Offer the file as a download under this name (`Content-Disposition: attachment`), as
   * Starlette's FileResponse does; any Unicode name is encoded as RFC 6266 says.
   */
  filename?: string;
  /** `attachment` (the default with a filename) or `inline`. */
  disposition?: "attachment" | "inline";
  /** Cache-Control max-age in milliseconds (default 0), or a string such as "1d". */
  maxAge?: number | string;
  /** Add `immutable` to Cache-Control (with a maxAge, for fingerprinted files). */
  immutable?: boolean;
  /** Override the content type found from the file's extension. */
  contentType?: string;
}

/**
 * Answers with one file from disk, streaming it: content type by extension, ETag and
 * Last-Modified, 304 for a matching If-None-Match or If-Modified-Since, a Range answered
 * with 206 (or 416), HEAD without the body. A missing file, or one that is not a regular file
 * (a FIFO, a socket, a device), is a 404 HTTPException; one that cannot be opened is thrown.
 *
 * `path` is the server's own choice, not the client's: for a path taken from the URL use
 * `staticFiles()` or `safePath()`, which keep the client inside a directory.
 *
 * @example
 * app.get("/report", (_, ctx) => fileResponse(ctx, "files/report.pdf", { filename: "report.pdf" }));
 */
export async function fileResponse(request: FileRequest, path: string, options: FileResponseOptions = {}): Promise<Response> {
  const absolute = resolve(path);
  const prepared = prepareSend(dirname(absolute), {
    // The server chose this file, dot or not.
    dotfiles: "allow",
    index: false,
    maxAge: options.maxAge ?? 0,
    immutable: options.immutable ?? false,
    contentType: options.contentType === undefined,
  });
  const sent = await sendFile(request, `/${encodeURIComponent(basename(absolute))}`, prepared);
  if (sent.type === "directory") throw new HTTPException(404, "Not Found");
  const response = fetchResponse(sent);
  if (options.contentType !== undefined && response.status !== 304) response.headers.set("content-type", options.contentType);
  if (options.filename !== undefined || options.disposition !== undefined) {
    response.headers.set("content-disposition", contentDisposition(options.filename, { type: options.disposition ?? "attachment" }));
  }
  return response;
}
