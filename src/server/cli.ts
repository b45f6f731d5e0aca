import cluster from "node:cluster";
import { readFileSync, statSync } from "node:fs";
import { LoadError, appFile, loadApp } from "./load-app.ts";
import { serve } from "./serve.ts";
import { FLAGS, flagsHelp, parseFlags, serveOptionsOf, withoutFlags, type ParsedFlags } from "./cli-options.ts";
import { SettingError } from "../common/settings.ts";
import { runWorkers } from "./cluster.ts";
import { defaultServerLimits } from "./options.ts";
import { DEV_CHILD_ENV, runDev } from "./dev.ts";
import { reexecWithContextFrame } from "./context-frame.ts";

const USAGE = `Usage:
  spry run FILE [options]      serve the app FILE exports (production)
  spry dev FILE [options]      serve it and restart when a file changes
  spry worker FILE [options]   run the tasks queued on the Redis queue FILE's app uses
  spry --help | --version

FILE is a .ts or .js module that does \`export default app\` (or \`export const app\`).
spry run --help, spry dev --help and spry worker --help list each command's options.`;

const COMMAND_USAGE = {
  run: `Usage: spry run FILE [options]

Serves the app FILE exports, on node:http, until SIGTERM or SIGINT (in-flight requests finish
first). Each option can also be set by the environment variable in brackets; the flag wins.
Sizes take k, M or G (binary units); times are in seconds.`,
  dev: `Usage: spry dev FILE [options]

Serves the app FILE exports and restarts it in a fresh process whenever a source file under
FILE's directory (or each --watch DIR) changes. Each option can also be set by the
environment variable in brackets; the flag wins.`,
};

type Command = { kind: "help" | "version"; text?: string } | ({ kind: "run" | "dev" } & RunCommand);

interface RunCommand {
  file: string;
  flags: ParsedFlags;
}

/**
 * The `spry` command. Returns the exit code once it is done, or undefined for `spry run`
 * once the server is up: that process then lives until a signal stops the server.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (argv.length === 0) {
    console.error(USAGE);
    return 2;
  }
  // On Node 22, first of all: the process that serves is the one with cheap request scopes.
  if (argv[0] === "run") reexecWithContextFrame();
  // Loaded only when asked for: the queue's code (and bullmq) stays out of `spry run`.
  // The command is given the app loader, so that tasks/ never imports server/.
  if (argv[0] === "worker") return (await import("../tasks/redis/worker-command.ts")).workerCommand(argv.slice(1), loadApp);
  let command: Command;
  try {
    command = parse(argv, env);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    const about = argv[0] === "run" || argv[0] === "dev" ? `spry ${argv[0]} --help` : "spry --help";
    console.error(`spry: ${error.message} (see ${about})`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      console.log(command.text ?? USAGE);
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

async function dev({ file, flags }: RunCommand): Promise<number> {
  const watch = (flags.values.get("watch") as string[] | undefined) ?? [];
  // Checked up front, or the supervisor would sit waiting for changes that cannot come.
  try {
    appFile(file);
    for (const dir of watch) {
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new LoadError(`--watch ${dir}: no such directory`);
    }
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    console.error(`spry: ${error.message}`);
    return 1;
  }
  return runDev({ file, watch, argv: withoutFlags(flags.argv, ["watch"]) });
}

async function run({ file, flags }: RunCommand): Promise<number | undefined> {
  const options = serveOptionsOf(flags);
  const workers = flags.values.get("workers") as number | undefined;
  // A worker runs this same command, without --workers but maybe with WEB_CONCURRENCY set.
  if (workers !== undefined && !cluster.isWorker) {
    try {
      appFile(file);
    } catch (error) {
      if (!(error instanceof LoadError)) throw error;
      console.error(`spry: ${error.message}`);
      return 1;
    }
    return runWorkers({ file, workers, argv: withoutFlags(flags.argv, ["workers"]), gracePeriod: options.gracePeriod ?? defaultServerLimits.gracePeriod });
  }
  // Under `spry dev` this process is out of reach of the terminal's CTRL+C (dev.ts says why),
  // so if the supervisor dies without stopping it, the IPC channel closing is the cue to stop.
  if (process.env[DEV_CHILD_ENV] === "1" && process.channel !== undefined) {
    delete process.env[DEV_CHILD_ENV];
    process.channel.unref();
    process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
  }
  // The app reads its own settings (its limits, the log level) from its environment.
  for (const flag of FLAGS) {
    const given = flags.given.get(flag.name);
    if (flag.to === "env" && given !== undefined) process.env[flag.env] = given;
  }
  try {
    await serve(await loadApp(file), options);
    return undefined;
  } catch (error) {
    console.error(`spry: ${describeFailure(error, file, options.uds ?? `${options.host!.includes(":") ? `[${options.host}]` : options.host}:${options.port}`)}`);
    return 1;
  }
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Command {
  const [name = "", ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") return { kind: "help" };
  if (name === "--version" || name === "-v") return { kind: "version" };
  if (name !== "run" && name !== "dev") {
    throw new SettingError(name.startsWith("-") ? `unknown option ${name}` : `unknown command ${JSON.stringify(name)}`);
  }
  const flags = parseFlags(name, rest, env);
  if (flags.help) return { kind: "help", text: `${COMMAND_USAGE[name]}\n\n${flagsHelp(name)}` };
  const [file, extra] = flags.positionals;
  if (file === undefined) throw new SettingError(`missing FILE: spry ${name} FILE`);
  if (extra !== undefined) throw new SettingError(`unexpected argument ${JSON.stringify(extra)}`);
  const key = flags.values.has("ssl-keyfile");
  if (key !== flags.values.has("ssl-certfile")) throw new SettingError(key ? "--ssl-keyfile needs --ssl-certfile" : "--ssl-certfile needs --ssl-keyfile");
  if (flags.values.get("http2") === true && !key) throw new SettingError("--http2 needs --ssl-keyfile and --ssl-certfile: HTTP/2 is served over TLS");
  if (flags.values.has("uds") && flags.given.has("port")) throw new SettingError("--uds and --port exclude each other: a unix socket has no port");
  return { kind: name, file, flags };
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
