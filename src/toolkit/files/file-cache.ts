import type { Stats } from "node:fs";
import type { OutgoingHeaders } from "../header-check.ts";

/** How staticFiles() keeps small files in memory (its `cache` option). */
export interface FileCacheOptions {
  /** The largest file kept, in bytes (default 65,536: 64 KiB). Larger files are always streamed. */
  maxFileSize?: number;
  /** The most bytes kept in all (default 4,194,304: 4 MiB); the least recently served file makes room. */
  maxSize?: number;
}

export const DEFAULT_MAX_FILE_SIZE = 64 * 1024;
export const DEFAULT_MAX_SIZE = 4 * 1024 * 1024;

/**
 * A file changed less than this long (ms) before it was read is served but not kept. File
 * times are coarse (a kernel clock tick, 1 to 10 ms, on Linux; a second or two on some file
 * systems), so two writes of the same size that close together can leave the same stat
 * behind: only a file whose change time was already this old when it was looked at is sure to
 * show a new one after any later write. (Git's index meets the same problem the same way.)
 */
export const SETTLE_MS = 2000;

/**
 * How many request paths are remembered as leading to a file: a bound, since they come from
 * requests (`/a.txt`, `/%61.txt` and `/./a.txt` are three paths to one file, kept once).
 */
export const MAX_CACHED_PATHS = 1000;
// A longer request path is served, never remembered: the paths' own memory stays bounded too.
const MAX_PATH_LENGTH = 1024;

/** One file's bytes and the headers of its 200, with what its stat said when they were read. */
export interface CachedFile {
  /** The file's absolute path, as the file core resolved it. */
  readonly path: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Lower case, as a SpryResponse's; copied for each response, as middleware may change them. */
  readonly headers: Readonly<OutgoingHeaders>;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * The bytes of the small files of one staticFiles() directory, least recently served first out.
 * An entry is only ever served after a fresh stat of its path says it is the very same file,
 * unchanged: the same device and inode (not another file, nor a link put in its place), size,
 * modification and change times (ctime moves on any write, rename or chmod, and cannot be set
 * back by a user). So a file changed on disk is read again on the next request, never served
 * stale; a removed one gets its 404.
 *
 * Hand-written: the file core (@fastify/send) and @fastify/static keep nothing between
 * requests, and what is kept here is only correct with this validation, which an LRU library
 * would not do for us; the least-recently-used order itself is a Map's insertion order, a few
 * lines. What it saves (three of a small file's four thread-pool calls, and about two thirds of
 * its CPU per request) is measured in send-file.ts, where it is used.
 */
export class FileCache {
  readonly maxFileSize: number;
  readonly maxSize: number;
  // Request path (still percent-encoded) to the absolute path it leads to: that mapping is the
  // file core's decode, normalize and join, which never changes for a given root and options.
  readonly #paths = new Map<string, string>();
  // Absolute path to its bytes; a Map keeps insertion order, and a hit moves its entry last.
  readonly #files = new Map<string, CachedFile>();
  #bytes = 0;

  constructor(options: FileCacheOptions = {}) {
    this.maxFileSize = bound(options.maxFileSize, DEFAULT_MAX_FILE_SIZE, "maxFileSize");
    this.maxSize = bound(options.maxSize, DEFAULT_MAX_SIZE, "maxSize");
  }

  /** The entry `requestPath` led to when last read, not yet checked against the disk. */
  lookup(requestPath: string): CachedFile | undefined {
    const path = this.#paths.get(requestPath);
    return path === undefined ? undefined : this.#files.get(path);
  }

  /** True if `entry` is still what `stat`, just made of its path, describes. Marks it as used. */
  fresh(entry: CachedFile, stat: Stats): boolean {
    if (entry.dev !== stat.dev || entry.ino !== stat.ino || entry.size !== stat.size || entry.mtimeMs !== stat.mtimeMs || entry.ctimeMs !== stat.ctimeMs) {
      this.forget(entry.path);
      return false;
    }
    this.#files.delete(entry.path);
    this.#files.set(entry.path, entry);
    return true;
  }

  /** Whether a file of `size` bytes is kept. */
  fits(size: number): boolean {
    return size <= this.maxFileSize && size <= this.maxSize;
  }

  /**
   * Keeps `bytes`, read from the file `stat` describes, for `requestPath`; `lookedAt` is the time
   * (Date.now()) from before the stat was made. A file that had changed too recently is not kept.
   */
  store(requestPath: string, path: string, stat: Stats, headers: OutgoingHeaders, bytes: Uint8Array<ArrayBuffer>, lookedAt: number): void {
    if (!this.fits(bytes.byteLength) || requestPath.length > MAX_PATH_LENGTH) return;
    if (lookedAt - stat.ctimeMs < SETTLE_MS || lookedAt - stat.mtimeMs < SETTLE_MS) return;
    this.forget(path);
    while (this.#bytes + bytes.byteLength > this.maxSize) this.forget(this.#files.keys().next().value!);
    const { dev, ino, size, mtimeMs, ctimeMs } = stat;
    this.#files.set(path, { path, bytes, headers: { ...headers }, dev, ino, size, mtimeMs, ctimeMs });
    this.#bytes += bytes.byteLength;
    this.#paths.delete(requestPath);
    if (this.#paths.size >= MAX_CACHED_PATHS) this.#paths.delete(this.#paths.keys().next().value!);
    this.#paths.set(requestPath, path);
  }

  /** Drops the bytes of the file at `path` (the paths to it stay: they lead nowhere until it is read again). */
  forget(path: string): void {
    const entry = this.#files.get(path);
    if (entry === undefined) return;
    this.#files.delete(path);
    this.#bytes -= entry.bytes.byteLength;
  }

  /** How many bytes are kept (never more than maxSize). */
  get size(): number {
    return this.#bytes;
  }

  /** How many files are kept. */
  get files(): number {
    return this.#files.size;
  }
}

function bound(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`staticFiles: cache.${name} must be a whole number of bytes, 0 or more (got ${String(value)})`);
  return value;
}
