import { statSync } from "node:fs";
import { resolve } from "node:path";
import { HTTPException } from "../../common/http-exception.ts";
import { toFetchResponse } from "../fetch-writer.ts";
import { negotiate } from "../middleware/accept-encoding.ts";
import { emptyResponse, SpryResponse } from "../response.ts";
import { FileCache, type FileCacheOptions } from "./file-cache.ts";
import { RootGuard } from "./root-guard.ts";
import { fastifySend, prepareSend, sendFile, type FileRequest, type PreparedSend, type SendFileOptions } from "./send-file.ts";

export interface StaticFilesOptions {
  /** The directory served. It must exist when the app is built. */
  directory: string;
  /**
   * Serve `index.html` for a directory (redirecting `/dir` to `/dir/`) and `404.html`, with
   * status 404, for anything missing, as Starlette's `StaticFiles(html=True)` does.
   */
  html?: boolean;
  /**
   * Serve `name.br` or `name.gz` instead of `name` when it exists beside it and the client
   * accepts that encoding (default false). The files are yours to make at build time.
   */
  precompressed?: boolean;
  /** Serve symbolic links that point outside the directory (default false: 404). */
  followSymlinks?: boolean;
  /** Cache-Control max-age in milliseconds (default 0), or a string such as "1d". */
  maxAge?: number | string;
  /** Add `immutable` to Cache-Control (with a maxAge, for fingerprinted files). */
  immutable?: boolean;
  /** Files and directories whose name starts with a dot: "ignore" (404, the default), "deny" (404 too) or "allow". */
  dotfiles?: "ignore" | "deny" | "allow";
  /**
   * Keep the bytes of small files in memory (default on: files up to `maxFileSize`, 64 KiB, and
   * `maxSize`, 4 MiB, in all, the least recently served leaving first); `false` turns it off.
   * Each request still stats the file, and a file that is not the very one kept (another
   * inode, size, modification or change time) is read again, so a changed file is never
   * served stale. Only the plain 200 and HEAD are answered from memory; a conditional or
   * ranged request and a precompressed sibling are answered from the disk.
   */
  cache?: boolean | FileCacheOptions;
}

// Most preferred first: brotli is smaller, gzip is what every client takes.
const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;
const ENCODING_NAMES = ENCODINGS.map(({ name }) => name);

/**
 * A directory served over HTTP: mount it with `app.mount("/static", staticFiles({ directory }))`,
 * or serve it alone through `fetch`. Only GET and HEAD are answered. A path never leaves the
 * directory: `..` in any encoding, a NUL byte, a backslash or a link pointing outside all get
 * 404 (or 400), and a redirect never names another site.
 */
export class StaticFiles {
  readonly directory: string;
  readonly html: boolean;
  readonly #send: PreparedSend;
  // The same, without a content type: a precompressed sibling takes its original's.
  readonly #sendCompressed: PreparedSend | undefined;
  readonly #precompressed: boolean;

  constructor(options: StaticFilesOptions) {
    this.directory = resolve(options.directory);
    // As Starlette's check_dir: a typo in the directory fails at startup, not as 404s forever.
    let isDirectory = false;
    try {
      isDirectory = statSync(this.directory).isDirectory();
    } catch {}
    if (!isDirectory) throw new Error(`staticFiles: directory ${JSON.stringify(options.directory)} does not exist`);
    this.html = options.html ?? false;
    this.#precompressed = options.precompressed ?? false;
    const send: SendFileOptions = {
      maxAge: options.maxAge ?? 0,
      immutable: options.immutable ?? false,
      dotfiles: options.dotfiles ?? "ignore",
      index: this.html ? ["index.html"] : false,
    };
    if (options.followSymlinks !== true) {
      const guard = new RootGuard(this.directory);
      send.check = (path, stat) => guard.check(path, stat);
    }
    const cache = options.cache ?? true;
    this.#send = prepareSend(this.directory, send, cache === false ? undefined : new FileCache(cache === true ? {} : cache));
    this.#sendCompressed = this.#precompressed ? prepareSend(this.directory, { ...send, contentType: false }) : undefined;
  }

  /**
   * The Fetch API entry: serves the file the request's URL path names, relative to the directory.
   * Errors are answered as spry answers them, `{"detail": ...}` with their status.
   */
  readonly fetch = async (request: Request): Promise<Response> => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return Response.json({ detail: "Method Not Allowed" }, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const url = request.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const end = url.search(/[?#]/);
    const path = start === -1 ? "/" : url.slice(start, end === -1 ? undefined : end);
    try {
      return toFetchResponse(await this.respond(request, path, ""));
    } catch (error) {
      if (!(error instanceof HTTPException)) throw error;
      return Response.json({ detail: error.detail }, { status: error.status, headers: error.headers });
    }
  };

  /**
   * Answers a GET or HEAD for `path` (still percent-encoded, relative to the directory) of an
   * app mounted at `rootPath`. Throws HTTPException for what is not served.
   */
  async respond(request: FileRequest, path: string, rootPath: string): Promise<SpryResponse> {
    // The mount's own path ("/static"): a directory asked for without its slash.
    if (path === "") {
      if (this.html) return emptyResponse(307, { location: `${rootPath}/` });
      throw new HTTPException(404, "Not Found");
    }
    refuseUnsafe(path);
    try {
      return await this.#serve(request, path, rootPath);
    } catch (error) {
      if (!this.html || !(error instanceof HTTPException) || error.status !== 404) throw error;
      return this.#notFoundPage(request, error);
    }
  }

  async #serve(request: FileRequest, path: string, rootPath: string): Promise<SpryResponse> {
    if (this.#precompressed && !path.endsWith("/")) {
      const compressed = await this.#compressed(request, path);
      if (compressed !== undefined) return compressed;
    }
    const sent = await sendFile(request, path, this.#send);
    if (sent.type === "directory") {
      if (!this.html) throw new HTTPException(404, "Not Found");
      // Relative to the mount, with leading slashes collapsed: `//evil.example` never becomes
      // a Location that a browser would read as another site.
      const location = `${rootPath}/${path.replace(/^[/\\]+/, "")}/`;
      return emptyResponse(307, { location });
    }
    if (this.#precompressed) sent.headers.vary = "accept-encoding";
    return new SpryResponse(sent.status, sent.headers, sent.body);
  }

  async #compressed(request: FileRequest, path: string): Promise<SpryResponse | undefined> {
    const accepted = request instanceof Request ? request.headers.get("accept-encoding") : request.header("accept-encoding");
    if (accepted == null) return undefined;
    // The client's favourite first, then any other it accepts.
    const favourite = negotiate(accepted, ENCODING_NAMES);
    if (favourite === undefined) return undefined;
    const order = ENCODINGS.filter(({ name }) => name !== favourite && negotiate(accepted, [name]) === name);
    order.unshift(ENCODINGS.find(({ name }) => name === favourite)!);
    for (const { name, suffix } of order) {
      let sent;
      try {
        sent = await sendFile(request, path + suffix, this.#sendCompressed!);
      } catch (error) {
        if (error instanceof HTTPException && error.status === 404) continue;
        throw error;
      }
      if (sent.type === "directory") return undefined;
      const headers = sent.headers;
      if (sent.status !== 304) {
        const { isUtf8MimeType, mime } = fastifySend();
        const type = mime.getType(decodeURIComponent(path)) ?? "application/octet-stream";
        headers["content-type"] = isUtf8MimeType(type) ? `${type}; charset=utf-8` : type;
        headers["content-encoding"] = name;
      }
      headers.vary = "accept-encoding";
      return new SpryResponse(sent.status, headers, sent.body);
    }
    return undefined;
  }

  async #notFoundPage(request: FileRequest, notFound: HTTPException): Promise<SpryResponse> {
    let sent;
    try {
      // A conditional or ranged 404 page makes no sense: asked for plainly.
      const plain = { method: request.method, header: () => undefined };
      sent = await sendFile(plain, "/404.html", this.#send);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 404) throw notFound;
      throw error;
    }
    if (sent.type === "directory") throw notFound;
    return new SpryResponse(404, sent.headers, sent.body);
  }
}

/**
 * Refuses, before any file is looked at, what no browser sends for a file under the root: a
 * `..` segment in any encoding (browsers resolve dot segments before sending), a backslash
 * (a separator on Windows, and `/\\host` is another site to a browser), a NUL byte (400) and
 * percent-encoding that does not decode (400). The file core would catch `..` too, after
 * resolving it; refusing it outright also keeps `//evil.example/%2e%2e` from ever naming the
 * root directory.
 */
function refuseUnsafe(path: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new HTTPException(400, "Bad Request");
  }
  if (decoded.includes("\0")) throw new HTTPException(400, "Bad Request");
  if (decoded.includes("\\") || decoded.split("/").includes("..")) throw new HTTPException(404, "Not Found");
}

/**
 * Serves a directory, like Starlette's StaticFiles; see StaticFiles.
 *
 * @example
 * app.mount("/static", staticFiles({ directory: "public" }));
 * app.mount("/", staticFiles({ directory: "site", html: true }));
 */
export function staticFiles(options: StaticFilesOptions): StaticFiles {
  return new StaticFiles(options);
}
