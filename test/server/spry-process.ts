// Runs the real `spry` command in child processes, for the CLI and dev-mode tests.
// Every wait is a bounded poll: on a loaded machine things are slow, never assumed fast.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/spry.mjs");

/** Generous bounds: they only matter when something is broken, and a loaded CI machine is slow. */
export const STARTUP_TIMEOUT_MS = 30_000;
export const EXIT_TIMEOUT_MS = 15_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpryProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** The url of the nth (1-based) "spry running on" log line, once it is there. */
  url(nth?: number): Promise<string>;
  /** All urls logged so far, oldest first. */
  urls(): string[];
}

const started = new Set<SpryProcess>();

/** Starts `node bin/spry.mjs ...args`. HOST, PORT and LOG_LEVEL come from `env` only, never from the test's own environment. */
export function spry(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): SpryProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["HOST", "PORT", "LOG_LEVEL", "SPRY_DEV_CHILD", "SPRY_DEV", "NODE_TEST_CONTEXT"]) delete env[name];
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  // "close", not "exit": by then both pipes are drained, so stdout() and stderr() are complete.
  const exited = new Promise<Exit>((resolve) => proc.once("close", (code, signal) => resolve({ code, signal })));
  // A JSON line's url field, or under `spry dev` the readable line's message.
  const urls = () =>
    out.split("\n").flatMap((line) => {
      const url = parseJson(line)?.url ?? /spry running on (\S+)/.exec(line)?.[1];
      return typeof url === "string" ? [url] : [];
    });
  const handle: SpryProcess = {
    proc,
    pid: proc.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    urls,
    async url(nth = 1) {
      let exit: Exit | undefined;
      void exited.then((e) => (exit = e));
      await waitFor(`startup log line #${nth}`, () => urls().length >= nth || exit !== undefined, STARTUP_TIMEOUT_MS, describe);
      if (urls().length < nth) throw new Error(`spry exited (${JSON.stringify(exit)}) before logging url #${nth}\n${describe()}`);
      return urls()[nth - 1]!;
    },
  };
  const describe = () => `--- stdout:\n${out}--- stderr:\n${err}`;
  started.add(handle);
  return handle;
}

/** Runs spry to completion (for the commands that are expected to fail fast). */
export async function spryExit(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const proc = spry(args, options);
  const exit = await withTimeout(proc.exited, EXIT_TIMEOUT_MS, () => `spry ${args.join(" ")} did not exit`);
  return { ...exit, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** How the process exited, or "still running" if it has not within `ms`. */
export async function exitWithin(handle: SpryProcess, ms: number): Promise<Exit | "still running"> {
  return withTimeout(handle.exited, ms, () => "").catch(() => "still running" as const);
}

/** PIDs of the app processes a `spry dev` supervisor reports starting, oldest first. */
export function devChildPids(dev: SpryProcess): number[] {
  return [...dev.stderr().matchAll(/started app process \[(\d+)\]/g)].map((match) => Number(match[1]));
}

/** For after() hooks: kills whatever is still running, dev children included, and waits for it. */
export async function killAll(): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const handle of started) {
    for (const pid of devChildPids(handle)) killIfAlive(pid);
    if (handle.proc.exitCode === null && handle.proc.signalCode === null) handle.proc.kill("SIGKILL");
    pending.push(withTimeout(handle.exited, EXIT_TIMEOUT_MS, () => `pid ${handle.pid} survived SIGKILL`).catch(() => {}));
  }
  started.clear();
  await Promise.all(pending);
}

function killIfAlive(pid: number): void {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone in the meantime
  }
}

/**
 * Whether a process is still running. A zombie counts as gone: it has exited, and in a container
 * whose init does not reap orphans it may never be reaped.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

/** Polls until `ready()` is true; on timeout, fails with `what` and the optional context. */
export async function waitFor(what: string, ready: () => boolean | Promise<boolean>, timeoutMs: number, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ""}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Response {
  status: number;
  body: string;
}

/** One GET over a fresh connection (no keep-alive pool to outlive a restarted server). */
export function get(url: string, timeoutMs = 10_000): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** Polls GET url until its body satisfies `accept` (connection errors count as not yet). */
export async function pollBody(url: () => string | undefined, accept: (body: string) => boolean, timeoutMs: number, context?: () => string): Promise<string> {
  let last = "(no response yet)";
  await waitFor(
    `a matching response from ${url() ?? "(no url yet)"}`,
    async () => {
      const target = url();
      if (target === undefined) return false;
      try {
        const { status, body } = await get(target, 5_000);
        last = `${status} ${body}`;
        return status === 200 && accept(body);
      } catch (error) {
        last = String(error);
        return false;
      }
    },
    timeoutMs,
    () => `last response: ${last}${context ? `\n${context()}` : ""}`,
  );
  return last;
}

/** A port that was free a moment ago: for the tests that need to know the port in advance. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A temporary directory (under os.tmpdir()) where `import ... from "spry"` works, as in a project
 * that installed spry: node_modules/spry links to this repository. Removed by the returned cleanup.
 */
export function tempProject(packageType?: "module"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "spry-cli-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "spry"), "dir");
  if (packageType !== undefined) writeFileSync(join(dir, "package.json"), JSON.stringify({ type: packageType }));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
