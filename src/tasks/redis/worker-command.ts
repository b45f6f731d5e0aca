import { parseArgs } from "node:util";
import { createdQueues, RedisQueue } from "./redis-queue.ts";
import { startWorker, type WorkerApp } from "./worker.ts";

/**
 * `spry worker FILE`: imports the app module (which configures the queue with redisQueue()),
 * starts the app, and runs queued tasks until SIGTERM or SIGINT. Resolves with the exit code.
 * `loadApp` is the CLI's module loader (server/load-app.ts): it throws an error named
 * "LoadError" for a failure whose message says it all.
 */
export async function workerCommand(argv: string[], loadApp: (file: string) => Promise<unknown>): Promise<number> {
  let file: string;
  let concurrency: number | undefined;
  let queueName: string | undefined;
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  try {
    const { values, positionals } = parseWords(argv);
    if (positionals[0] === undefined) throw new Error("missing FILE: spry worker FILE");
    if (positionals[1] !== undefined) throw new Error(`unexpected argument ${JSON.stringify(positionals[1])}`);
    file = positionals[0];
    if (values.concurrency !== undefined) {
      concurrency = /^\d{1,6}$/.test(values.concurrency) ? Number(values.concurrency) : 0;
      if (concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${JSON.stringify(values.concurrency)}`);
    }
    queueName = values.queue;
  } catch (error) {
    console.error(`spry: ${(error as Error).message} (see spry worker --help)`);
    return 2;
  }
  let app: WorkerApp;
  let queue: RedisQueue;
  try {
    app = (await loadApp(file)) as WorkerApp;
    queue = pickQueue(file, queueName, app);
  } catch (error) {
    console.error(`spry: ${isLoadError(error) ? error.message : `cannot load ${file}:\n${(error as Error).stack ?? String(error)}`}`);
    return 1;
  }
  try {
    const worker = await startWorker(app, queue, { concurrency });
    await worker.closed;
    return 0;
  } catch (error) {
    console.error(`spry: the worker failed:\n${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

const USAGE = `Usage: spry worker FILE [options]

Runs the tasks queued on the Redis queue that FILE's app uses (new Spry({ tasks: redisQueue() })),
until SIGTERM or SIGINT; a task running then finishes first.

Options:
  --concurrency N     tasks run at once by this worker (default 1)
  --queue NAME        the queue to serve, when the app's module creates more than one`;

const OPTIONS = { concurrency: { type: "string" }, queue: { type: "string" } } as const;

// parseArgs only splits the words (strict: false): its own messages would reach the user with
// quoting of its own. An unknown option or a missing value is one line of ours instead.
function parseWords(argv: string[]): { values: { concurrency?: string; queue?: string }; positionals: string[] } {
  const { tokens } = parseArgs({ args: argv, strict: false, allowPositionals: true, tokens: true, options: OPTIONS });
  const values: { concurrency?: string; queue?: string } = {};
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    if (token.name !== "concurrency" && token.name !== "queue") throw new Error(`unknown option ${token.rawName}`);
    let value = token.value;
    if (value === undefined) {
      const next = tokens[i + 1];
      if (next?.kind !== "positional") throw new Error(`${token.rawName} needs a value`);
      value = next.value;
      i++;
    }
    values[token.name] = value;
  }
  return { values, positionals };
}

// The queue is the app's own backend (`new Spry({ tasks: redisQueue() })`); failing that, the
// one the module created. An app that uses more than one queue runs one worker per queue,
// chosen with --queue.
function pickQueue(file: string, name: string | undefined, app: WorkerApp): RedisQueue {
  const configured = app.config?.tasks?.backend;
  if (configured instanceof RedisQueue && (name === undefined || configured.options.queue === name)) return configured;
  const queues = createdQueues().filter((queue) => name === undefined || queue.options.queue === name);
  if (queues.length === 1) return queues[0]!;
  if (name !== undefined) throw loadError(`${file} configures no Redis queue named "${name}"`);
  if (queues.length === 0) throw loadError(`${file} configures no Redis queue: give the app one, e.g. new Spry({ tasks: redisQueue({ url }) }) from "spry/queue"`);
  throw loadError(`${file} configures ${queues.length} Redis queues (${queues.map((q) => q.options.queue).join(", ")}): choose one with --queue NAME`);
}

function loadError(message: string): Error {
  const error = new Error(message);
  error.name = "LoadError";
  return error;
}

function isLoadError(error: unknown): error is Error {
  return error instanceof Error && error.name === "LoadError";
}
