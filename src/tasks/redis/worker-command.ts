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
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { concurrency: { type: "string" }, queue: { type: "string" } },
    });
    if (positionals[0] === undefined) throw new Error("missing FILE: spry worker FILE");
    if (positionals[1] !== undefined) throw new Error(`unexpected argument ${JSON.stringify(positionals[1])}`);
    file = positionals[0];
    if (values.concurrency !== undefined) {
      concurrency = /^\d{1,6}$/.test(values.concurrency) ? Number(values.concurrency) : 0;
      if (concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${JSON.stringify(values.concurrency)}`);
    }
    queueName = values.queue;
  } catch (error) {
    console.error(`spry: ${(error as Error).message} (see spry --help)`);
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
