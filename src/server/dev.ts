import { spawn, type ChildProcess } from "node:child_process";
import { watch } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/spry.mjs", import.meta.url));
const IGNORED = /(^|[/\\])(node_modules|\.git)([/\\]|$)/;
const DEBOUNCE_MS = 100;

/**
 * `spry dev`: runs `spry run` in a child process and restarts it when a watched file changes,
 * as `uvicorn --reload` does. A child is a clean slate, so no module cache can hold old code.
 */
export function runDev(file: string, args: string[], watchDirs: string[]): Promise<number> {
  const dirs = watchDirs.length > 0 ? watchDirs.map((d) => resolve(d)) : [dirname(resolve(file))];
  const runArgs = args.filter((arg, i) => arg !== "--watch" && args[i - 1] !== "--watch" && !arg.startsWith("--watch="));
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;

  const start = () => {
    child = spawn(process.execPath, [BIN, "run", ...runArgs], { stdio: "inherit", env: process.env });
  };
  const restart = (changed: string) => {
    console.error(`spry dev: ${changed} changed, restarting`);
    const old = child;
    if (old === undefined || old.exitCode !== null || old.signalCode !== null) return start();
    old.once("exit", start);
    old.kill("SIGTERM");
  };

  for (const dir of dirs) {
    watch(dir, { recursive: true }, (_event, name) => {
      if (name === null || IGNORED.test(name)) return;
      clearTimeout(timer);
      timer = setTimeout(() => restart(name), DEBOUNCE_MS);
    });
  }
  console.error(`spry dev: watching ${dirs.join(", ")}`);
  start();

  return new Promise((resolveExit) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolveExit(0);
      child.once("exit", () => resolveExit(0));
      child.kill("SIGTERM");
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
