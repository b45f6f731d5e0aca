/**
 * spry/files: static directories (`staticFiles`, mounted with `app.mount`), one file as a
 * response (`fileResponse`), and the guard for routes whose path names a file (`safePath`).
 */
export { staticFiles, StaticFiles, type StaticFilesOptions } from "./static-files.ts";
export type { FileCacheOptions } from "./file-cache.ts";
export { fileResponse, type FileResponseOptions } from "./file-response.ts";
export { safePath, type SafePathOptions } from "./safe-path.ts";
export { MAX_RANGES, type FileRequest } from "./send-file.ts";
