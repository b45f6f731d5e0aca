import cluster from "node:cluster";
import { readFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { LoadError, appFile, loadApp } from "./load-app.ts";
import { serve } from "./serve.ts";
import { runWorkers } from "./cluster.ts";
import { defaultServerLimits } from "./options.ts";
import { DEV_CHILD_ENV, runDev, type DevOptions } from "./dev.ts";

const USAGE = `Usage:
  spry run FILE [--host HOST] [--port PORT]   serve the app FILE exports (production)
               [--workers N] [--grace-period SECONDS]
  spry dev FILE [--host HOST] [--port PORT] [--watch DIR]...
                                              serve it and restart when a file changes
  spry worker FILE [--concurrency N] [--queue NAME]
                                              run the tasks queued on the Redis queue FILE's app uses
  spry --help | --version

FILE is a .ts or .js module that does \`export default app\` (or \`export const app\`).
HOST and PORT default to the HOST and PORT environment variables, else 127.0.0.1:8000;
port 0 picks a free port. --watch defaults to the directory of FILE.
--workers N (default: the WEB_CONCURRENCY environment variable) serves from N processes;
SIGHUP then replaces them one at a time. --grace-period (default 10) is how long in-flight
requests may run on SIGTERM.`;

type Command =
  | { kind: "help" | "version" }
  | ({ kind: "run" | "dev" } & DevOptions & { workers?: number; gracePeriod?: number });

/** A mistake in the command line or environment: reported in one line, exit code 2. */
class UsageError extends Error {}

/**
 * The `spry` command. Returns the exit code once it is done, or undefined for `spry run`
 * once the server is up: that process then lives until a signal stops the server.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (argv.length === 0) {
    console.error(USAGE);
    return 2;
  }
  // Loaded only when asked for: the queue's code (and bullmq) stays out of `spry run`.
  // The command is given the app loader, so that tasks/ never imports server/.
  if (argv[0] === "worker") return (await import("../tasks/redis/worker-command.ts")).workerCommand(argv.slice(1), loadApp);
  let command: Command;
  try {
    command = parse(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`spry: ${error.message} (see spry --help)`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      console.log(USAGE);
      return 0;
    case "version":
      console.log(version());
      return 0;
    case "dev":
      return dev(command);
    case "run":
      return run(command);
  }
}

async function dev(options: DevOptions): Promise<number> {
  // Checked up front, or the supervisor would sit waiting for changes that cannot come.
  try {
    appFile(options.file);
    for (const dir of options.watch) {
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new LoadError(`--watch ${dir}: no such directory`);
    }
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    console.error(`spry: ${error.message}`);
    return 1;
  }
  return runDev(options);
}

async function run({ file, host, port, workers, gracePeriod }: DevOptions & { workers?: number; gracePeriod?: number }): Promise<number | undefined> {
  // A worker runs this same command, without --workers but maybe with WEB_CONCURRENCY set.
  if (workers !== undefined && !cluster.isWorker) {
    try {
      appFile(file);
    } catch (error) {
      if (!(error instanceof LoadError)) throw error;
      console.error(`spry: ${error.message}`);
      return 1;
    }
    return runWorkers({ file, host, port, workers, gracePeriod: gracePeriod ?? defaultServerLimits.gracePeriod });
  }
  // Under `spry dev` this process is out of reach of the terminal's CTRL+C (dev.ts says why),
  // so if the supervisor dies without stopping it, the IPC channel closing is the cue to stop.
  if (process.env[DEV_CHILD_ENV] === "1" && process.channel !== undefined) {
    delete process.env[DEV_CHILD_ENV];
    process.channel.unref();
    process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
  }
  try {
    await serve(await loadApp(file), { host, port, gracePeriod });
    return undefined;
  } catch (error) {
    console.error(`spry: ${describeFailure(error, file, `${host.includes(":") ? `[${host}]` : host}:${port}`)}`);
    return 1;
  }
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Command {
  const [name = "", ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") return { kind: "help" };
  if (name === "--version" || name === "-v") return { kind: "version" };
  if (name !== "run" && name !== "dev") {
    throw new UsageError(name.startsWith("-") ? `unknown option ${JSON.stringify(name)}` : `unknown command ${JSON.stringify(name)}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        watch: { type: "string", multiple: true },
        workers: { type: "string" },
        "grace-period": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: "help" };
  const [file, extra] = positionals;
  if (file === undefined) throw new UsageError(`missing FILE: spry ${name} FILE`);
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  if (values.watch !== undefined && name === "run") throw new UsageError("--watch is for spry dev only");
  if (values.host === "") throw new UsageError("--host must not be empty");
  if (name === "dev" && values.workers !== undefined) throw new UsageError("--workers is for spry run only: spry dev runs one process");
  if (name === "dev" && values["grace-period"] !== undefined) throw new UsageError("--grace-period is for spry run only");
  return {
    kind: name,
    file,
    host: values.host ?? (env.HOST || "127.0.0.1"),
    port: portNumber(values.port, "--port") ?? portNumber(env.PORT || undefined, "PORT") ?? 8000,
    watch: values.watch ?? [],
    workers: name === "run" ? (count(values.workers, "--workers") ?? count(env.WEB_CONCURRENCY || undefined, "WEB_CONCURRENCY")) : undefined,
    gracePeriod: seconds(values["grace-period"], "--grace-period"),
  };
}

// Digits only: Number() would also take "", " 80", "0x50" and "1e3".
function portNumber(value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535)) throw new UsageError(`${source} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

function count(value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : 0;
  if (n < 1) throw new UsageError(`${source} must be a number of processes from 1, got ${JSON.stringify(value)}`);
  return n;
}

/** Seconds on the command line, milliseconds inside. */
function seconds(value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}(\.\d+)?$/.test(value)) throw new UsageError(`${source} must be a number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(Number(value) * 1000);
}

// Failures the user can fix from the message alone get one line; an error raised by the app's
// own code keeps its stack, which is what points at the faulty line.
function describeFailure(error: unknown, file: string, address: string): string {
  const { code, syscall, message } = (error ?? {}) as NodeJS.ErrnoException;
  if (error instanceof LoadError) return message;
  if (syscall === "listen" || syscall === "getaddrinfo") {
    const reason = LISTEN_ERRORS[code ?? ""] ?? message;
    return `cannot listen on ${address}: ${reason}`;
  }
  // tsx's syntax errors already name the file, line and column; their stack is esbuild's.
  if ((error as Error | undefined)?.name === "TransformError") return `cannot load ${file}: ${message}`;
  return `cannot load ${file}:\n${(error as Error | undefined)?.stack ?? String(error)}`;
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: "address already in use",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "address not available on this machine",
  ENOTFOUND: "unknown host",
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return `spry ${pkg.version}`;
}
