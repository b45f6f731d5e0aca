import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { HTTPException } from "../../common/http-exception.ts";
import { FileRefused } from "./send-file.ts";

export interface SafePathOptions {
  /** Allow symbolic links whose target lies outside `root` (default false). */
  followSymlinks?: boolean;
  /** Allow names that start with a dot, such as `.env` (default false: 404, as staticFiles does). */
  dotfiles?: boolean;
}

/**
 * The absolute path of `untrusted` (a path parameter, already decoded) inside `root`, or a
 * 404 HTTPException if it would leave `root` in any way: `..` segments, an absolute path, a
 * backslash, or a symbolic link pointing outside (unless allowed). Names starting with a dot
 * (`.env`, `.git/config`) are refused too unless allowed. A NUL byte is a 400. The file
 * must exist: what is missing is a 404 too, so nobody learns what exists outside.
 *
 * Use it in any route whose path names a file; `staticFiles()` does the same checks itself.
 *
 * @example
 * app.get("/files/{file_path:path}", async ({ file_path }, ctx) =>
 *   fileResponse(ctx, await safePath("uploads", file_path)));
 */
export async function safePath(root: string, untrusted: string, options: SafePathOptions = {}): Promise<string> {
  if (untrusted.includes("\0")) throw new HTTPException(400, "Bad Request");
  const base = resolve(root);
  // A backslash is a separator on Windows; on POSIX a name with one is never worth the doubt.
  if (untrusted.includes("\\") || !lexicallyInside(base, untrusted)) throw new HTTPException(404, "Not Found");
  if (options.dotfiles !== true && untrusted.split("/").some((name) => name.startsWith("."))) throw new HTTPException(404, "Not Found");
  const target = resolve(base, `.${sep}${untrusted}`);
  if (options.followSymlinks === true) return target;
  try {
    await insideRealRoot(base, target);
  } catch (error) {
    if (error instanceof FileRefused || isMissing(error)) throw new HTTPException(404, "Not Found");
    throw error;
  }
  return target;
}

function lexicallyInside(base: string, untrusted: string): boolean {
  if (isAbsolute(untrusted)) return false;
  const rel = relative(base, resolve(base, `.${sep}${untrusted}`));
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Throws FileRefused unless `target`, every symbolic link followed, is inside `base` with its
 * links followed too (a root that is itself a link is fine).
 */
export async function insideRealRoot(base: string, target: string, realBase?: Promise<string>): Promise<void> {
  const [realRoot, realTarget] = await Promise.all([realBase ?? realpath(base), realpath(target)]);
  if (realTarget !== realRoot && !realTarget.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) {
    throw new FileRefused(`${target} leads outside ${base}`);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG" || code === "ELOOP";
}
