import type { Stats } from "node:fs";
import { realpath } from "node:fs/promises";
import { insideRealRoot } from "./safe-path.ts";

/** How many files a guard remembers as checked: a bound, since the paths come from requests. */
export const MAX_CHECKED_FILES = 1000;

// The file a path led to when its links were last followed and found inside the root. A path
// that now stats as another file (another device or inode), or as the same one changed in its
// metadata (ctime moves on a rename, a new link, a chmod), is checked again from scratch.
interface Checked {
  readonly dev: number;
  readonly ino: number;
  readonly ctimeMs: number;
}

/**
 * The symbolic-link guard of one staticFiles() directory: a file is served only if its path,
 * every link followed, stays inside the directory (itself resolved once). Following the links
 * is a `realpath` system call per request, 5% of the CPU of a 1 KB file (bench/HISTORY.md, static
 * files); a path already checked is let through again without one while it leads to the very
 * same file, which the stat the file core makes anyway tells. Any swap of the file or of a
 * directory above it for a link leads to another inode or a new ctime, so it is checked afresh.
 */
export class RootGuard {
  readonly #directory: string;
  #realRoot: Promise<string> | undefined;
  readonly #checked = new Map<string, Checked>();

  constructor(directory: string) {
    this.#directory = directory;
  }

  /** Resolves if `path` (whose stat, links followed, is `stat`) may be served; else throws FileRefused. */
  check(path: string, stat: Stats): void | Promise<void> {
    const known = this.#checked.get(path);
    if (known !== undefined && known.dev === stat.dev && known.ino === stat.ino && known.ctimeMs === stat.ctimeMs) return;
    return this.#resolve(path, stat);
  }

  async #resolve(path: string, stat: Stats): Promise<void> {
    this.#checked.delete(path);
    await insideRealRoot(this.#directory, path, (this.#realRoot ??= realpath(this.#directory)));
    // The oldest entry makes room: the map keeps its insertion order.
    if (this.#checked.size >= MAX_CHECKED_FILES) this.#checked.delete(this.#checked.keys().next().value!);
    this.#checked.set(path, { dev: stat.dev, ino: stat.ino, ctimeMs: stat.ctimeMs });
  }

  /** How many paths are remembered (never more than MAX_CHECKED_FILES). */
  get size(): number {
    return this.#checked.size;
  }
}
