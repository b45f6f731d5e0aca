// A real redis-server per test file: on a free loopback port, in a temporary directory, with
// the append-only file on and fsynced on every write, so that a restart (even after kill -9)
// must bring back every queued task. Stopped by pid, with its directory removed, afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../server/spry-process.ts";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The running server's pid (changes on restart). */
  readonly pid: number;
  /** Stops it: SIGTERM (Redis flushes and exits) or SIGKILL (a crash). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts it again on the same port and directory, after stop(); nothing if it is running. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 20_000;

function redisServerPath(): string {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
  if (found === "") {
    throw new Error("redis-server is not installed: the task queue's tests need it (Debian: apt-get install redis-server; .ci/run installs it on CI)");
  }
  return found;
}

export async function startRedis(): Promise<RedisServer> {
  const binary = redisServerPath();
  const dir = mkdtempSync(join(tmpdir(), "spry-redis-"));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = "";

  const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const start = async () => {
    if (running()) return;
    log = "";
    const child = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no", "--loglevel", "warning"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    proc = child;
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    await waitFor(`redis-server on port ${port}`, async () => gone || (await ping(port)), STARTUP_TIMEOUT_MS, () => log);
    if (gone) throw new Error(`redis-server exited at startup:\n${log}`);
  };
  const stop = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") => {
    if (!running()) return;
    proc!.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc!.pid!;
    },
    stop,
    start,
    async dispose() {
      await stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a Redis server answers PING on the port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      answer += chunk;
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}
