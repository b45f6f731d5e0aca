import { spawn, type ChildProcess } from "node:child_process";
import { contextFrameFlags } from "./context-frame.ts";
import { readdirSync, statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_MODE_ENV } from "../common/dev-mode.ts";

const BIN = fileURLToPath(new URL("../../bin/spry.mjs", import.meta.url));
/** Set in the environment of the app process that `spry dev` supervises. */
export const DEV_CHILD_ENV = "SPRY_DEV_CHILD";
// Dotfiles are left out too: editors' lock and swap files (.#main.ts, .main.ts.swp) are dotfiles.
const SOURCE_FILE = /^[^.].*\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|json)$/;
const SKIPPED_DIR = /^(\..*|node_modules)$/;
const DEBOUNCE_MS = 100;
// Past the server's own grace period (10 s), after which it closes connections itself.
const KILL_AFTER_MS = 15_000;

export interface DevOptions {
  file: string;
  /** Directories to watch; default: the directory of `file`. */
  watch: string[];
  /** The `spry run` flags the app process gets (host, port, limits...). */
  argv: string[];
}

/**
 * `spry dev`: runs `spry run` in a child process and restarts it when a source file changes,
 * as `uvicorn --reload` does. A child is a clean slate, so no module cache can hold old code.
 * A new child starts only once the old one has exited, so the port is free again; a child that
 * crashed (a syntax error, say) is started again on the next change.
 */
export function runDev({ file, watch: watchDirs, argv }: DevOptions): Promise<number> {
  const dirs = watchDirs.length > 0 ? watchDirs.map((dir) => resolve(dir)) : [dirname(resolve(file))];
  // With the context-frame flag on Node 22 from the start: a child with an IPC channel is not re-executed.
  const args = [...contextFrameFlags(), ...conditionFlags(process.execArgv), BIN, "run", file, ...argv];
  let child: ChildProcess | undefined;
  let restartWhenExited = false;
  let stopping = false;
  let debounce: NodeJS.Timeout | undefined;

  return new Promise((done) => {
    const start = () => {
      // Its own process group keeps the terminal's CTRL+C from reaching it: the supervisor alone
      // decides when it stops, once. The IPC channel lets it notice if the supervisor dies.
      const proc = spawn(process.execPath, args, {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        env: { ...process.env, [DEV_CHILD_ENV]: "1", [DEV_MODE_ENV]: "1" },
        detached: true,
      });
      child = proc;
      log(`started app process [${proc.pid}]`);
      proc.on("error", (error) => log(`app process: ${error.message}`));
      proc.once("exit", (code, signal) => {
        child = undefined;
        if (stopping) return finish();
        if (restartWhenExited) {
          restartWhenExited = false;
          return start();
        }
        log(`app process exited (${signal ?? `code ${code}`}); waiting for a file change to restart`);
      });
    };
    const restart = (changed: string) => {
      if (stopping) return;
      log(`${relative(process.cwd(), changed) || changed} changed, restarting`);
      if (child === undefined) return start();
      restartWhenExited = true;
      terminate(child);
    };
    const unwatch = watchTrees(dirs, (changed) => {
      clearTimeout(debounce);
      debounce = setTimeout(() => restart(changed), DEBOUNCE_MS);
    });
    const stop = () => {
      if (stopping) {
        // A second CTRL+C: the server then closes its connections without waiting for requests.
        child?.kill("SIGTERM");
        return;
      }
      stopping = true;
      clearTimeout(debounce);
      unwatch();
      if (child === undefined) return finish();
      terminate(child);
    };
    const finish = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    log(`watching ${dirs.join(", ")}`);
    start();
  });
}

function terminate(proc: ChildProcess): void {
  // Asked once already: a second SIGTERM would cut its in-flight requests short.
  if (proc.killed) return;
  proc.kill("SIGTERM");
  const timer = setTimeout(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  }, KILL_AFTER_MS);
  timer.unref();
  proc.once("exit", () => clearTimeout(timer));
}

function log(message: string): void {
  console.error(`spry dev: ${message}`);
}

/**
 * Calls onChange with the path of each source file that changes under the given directories.
 * Not `fs.watch(dir, { recursive: true })`: on Linux, Node 20's version stops reporting a file
 * once an editor has saved it by renaming a new file over it. A watcher per directory does not.
 */
function watchTrees(roots: string[], onChange: (path: string) => void): () => void {
  const watched = new Map<string, { watcher: FSWatcher; ino: number }>();

  // Returns whether the tree holds source files: one that appears (a checkout, a move) is a change.
  const add = (dir: string): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
      const watcher = watch(dir, (_event, name) => {
        if (name !== null) onEvent(join(dir, name.toString()));
      });
      watcher.on("error", () => drop(dir));
      watched.set(dir, { watcher, ino: statSync(dir).ino });
    } catch (error) {
      // Gone already is fine; anything else (out of inotify watches, say) is worth knowing.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") log(`cannot watch ${dir}: ${(error as Error).message}`);
      return false;
    }
    let hasSources = false;
    for (const entry of entries) {
      const isSource = entry.isDirectory() ? !SKIPPED_DIR.test(entry.name) && add(join(dir, entry.name)) : SOURCE_FILE.test(entry.name);
      hasSources ||= isSource;
    }
    return hasSources;
  };
  const drop = (dir: string) => {
    for (const [path, { watcher }] of watched) {
      if (path === dir || path.startsWith(dir + sep)) {
        watcher.close();
        watched.delete(path);
      }
    }
  };
  const onEvent = (path: string) => {
    let stats;
    try {
      stats = statSync(path, { throwIfNoEntry: false });
    } catch {
      return;
    }
    const known = watched.get(path);
    if (known !== undefined) {
      if (stats?.ino === known.ino) return; // the same directory, its attributes changed
      drop(path); // removed or replaced: watch the new one afresh
    }
    if (stats?.isDirectory()) {
      if (!SKIPPED_DIR.test(basename(path)) && add(path)) onChange(path);
    } else if (SOURCE_FILE.test(basename(path))) {
      onChange(path);
    }
  };

  for (const root of roots) add(root);
  return () => {
    for (const { watcher } of watched.values()) watcher.close();
    watched.clear();
  };
}

/**
 * The export conditions this process was started with (`--conditions`, `-C`), so that the app
 * process resolves `spry` (and its own packages) to the same files as its supervisor. Other
 * flags stay out: an --inspect port, say, cannot be shared by both processes.
 */
function conditionFlags(execArgv: readonly string[]): string[] {
  return execArgv.flatMap((arg, i) => {
    if (/^(--conditions|-C)=/.test(arg)) return [arg];
    if ((arg === "--conditions" || arg === "-C") && execArgv[i + 1] !== undefined) return [arg, execArgv[i + 1]!];
    return [];
  });
}
