import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "../common/logger.ts";
import { urlOf } from "./address.ts";

const BIN = fileURLToPath(new URL("../../bin/spry.mjs", import.meta.url));
// A worker that exits before listening, or this soon after, failed to start; this many such
// exits in a row mean it never will (a syntax error, a database down at startup), and restarting
// it forever would only hide that. A worker that served longer is restarted whatever the count.
const MIN_UPTIME_MS = 1_000;
const MAX_QUICK_EXITS = 5;
// Past a worker's own grace period, after which it closes its connections itself.
const KILL_MARGIN_MS = 5_000;

export interface WorkersOptions {
  file: string;
  /** The `spry run` flags each worker gets (host, port, limits...), --workers aside. */
  argv: string[];
  /** How many worker processes serve the port. */
  workers: number;
  /** Each worker's grace period on shutdown, in ms. */
  gracePeriod: number;
}

/**
 * `spry run --workers N`: a node:cluster primary that forks N workers, each running `spry run`
 * on the shared port, as `uvicorn --workers` and gunicorn do. It restarts a worker that dies,
 * replaces them one at a time on SIGHUP (each new one listening before an old one stops), and
 * stops them all gracefully on SIGTERM or SIGINT. Resolves with the exit code.
 *
 * @example
 * process.exitCode = await runWorkers({ file: "main.ts", argv: ["--port", "8000"], workers: 4, gracePeriod: 10_000 });
 */
export function runWorkers(options: WorkersOptions): Promise<number> {
  const logger = createLogger();
  cluster.setupPrimary({
    exec: BIN,
    args: ["run", options.file, ...options.argv],
  });
  return new Supervisor(options, logger).run();
}

class Supervisor {
  readonly #options: WorkersOptions;
  readonly #logger: Logger;
  /** The workers that count towards N: started or serving, not asked to stop. */
  readonly #serving = new Set<Worker>();
  /** Workers asked to stop (SIGTERM sent), until they exit. */
  readonly #stopping = new Set<Worker>();
  /** New workers of a reload that have not listened yet: if one dies, the reload stops, and no replacement is started. */
  readonly #candidates = new Set<Worker>();
  readonly #listenedAt = new Map<Worker, number>();
  #quickExits = 0;
  #announced = false;
  #reloading = false;
  #stopSignals = 0;
  #exitCode = 0;
  #done: (code: number) => void = () => {};

  constructor(options: WorkersOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  run(): Promise<number> {
    const onStop = (signal: NodeJS.Signals) => this.#stop(signal);
    const onReload = () => void this.#reload();
    process.on("SIGINT", onStop);
    process.on("SIGTERM", onStop);
    process.on("SIGHUP", onReload);
    return new Promise<number>((resolve) => {
      this.#done = (code) => {
        process.off("SIGINT", onStop);
        process.off("SIGTERM", onStop);
        process.off("SIGHUP", onReload);
        resolve(code);
      };
      for (let i = 0; i < this.#options.workers; i++) this.#fork();
    });
  }

  #fork(): Worker {
    const worker = cluster.fork();
    const pid = worker.process.pid;
    this.#serving.add(worker);
    this.#logger.info({ worker: pid }, `started worker [${pid}]`);
    worker.on("message", (message: unknown) => {
      if (message === LEAVING) worker.send(LEAVING);
      else if (message === RECYCLE) void this.#recycle(worker);
    });
    worker.on("error", (error) => this.#logger.error({ worker: pid, err: error }, `worker [${pid}]: ${error.message}`));
    worker.once("listening", (address: AddressInfo & { addressType?: number | string }) => {
      this.#listenedAt.set(worker, Date.now());
      this.#candidates.delete(worker);
      if (!this.#announced) {
        this.#announced = true;
        const url = urlOf(address);
        this.#logger.info({ url, workers: this.#options.workers }, `spry running on ${url} with ${this.#options.workers} workers (Press CTRL+C to quit)`);
      }
    });
    worker.once("exit", (code, signal) => this.#onExit(worker, code, signal));
    return worker;
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const pid = worker.process.pid;
    const how = signal ?? `code ${code}`;
    const asked = this.#stopping.delete(worker);
    const candidate = this.#candidates.delete(worker);
    this.#serving.delete(worker);
    const listenedAt = this.#listenedAt.get(worker);
    this.#listenedAt.delete(worker);
    if (this.#stopSignals > 0) {
      this.#logger.info({ worker: pid, code, signal }, `worker [${pid}] stopped (${how})`);
      // A worker that had to cut requests off exits 1: so does the primary, as one process would.
      // One stopped before it listened (a replacement still starting) had no request to cut off,
      // and dies of the signal before its own handler is set: that is no failure.
      if (code !== 0 && listenedAt !== undefined) this.#exitCode = 1;
      if (this.#serving.size === 0 && this.#stopping.size === 0) this.#done(this.#exitCode);
      return;
    }
    if (asked) {
      this.#logger.info({ worker: pid, code, signal }, `worker [${pid}] stopped (${how})`);
      return;
    }
    if (candidate) return; // the reload reports it and keeps the old workers
    const quick = listenedAt === undefined || Date.now() - listenedAt < MIN_UPTIME_MS;
    this.#quickExits = quick ? this.#quickExits + 1 : 0;
    if (this.#quickExits >= MAX_QUICK_EXITS) {
      // One line on stderr, as the CLI's other fatal errors; the workers' own errors are above it.
      console.error(`spry: workers keep exiting right after they start (${this.#quickExits} in a row); stopping`);
      this.#exitCode = 1;
      this.#stop("SIGTERM");
      return;
    }
    this.#logger.warn({ worker: pid, code, signal }, `worker [${pid}] exited (${how}); starting a new one`);
    this.#fork();
  }

  /** SIGHUP: one worker at a time, a new one is started and listening before an old one is stopped. */
  async #reload(): Promise<void> {
    if (this.#stopSignals > 0) return;
    if (this.#reloading) {
      this.#logger.warn({}, "SIGHUP: a reload is already under way");
      return;
    }
    this.#reloading = true;
    const old = [...this.#serving];
    this.#logger.info({ workers: old.length }, `SIGHUP: replacing ${old.length} workers one at a time`);
    let replaced = 0;
    for (const worker of old) {
      if (this.#stopSignals > 0) break;
      if (!this.#serving.has(worker)) continue; // died meanwhile, and was replaced already
      const fresh = this.#fork();
      this.#candidates.add(fresh);
      if (!(await listensOrExits(fresh))) {
        // Stopped while it started (SIGTERM during the reload): not a failure of the new code.
        if (this.#stopSignals === 0) this.#logger.error({ worker: fresh.process.pid }, "A new worker exited before listening: reload stopped, the old workers keep serving");
        break;
      }
      this.#retire(worker);
      replaced++;
    }
    this.#reloading = false;
    this.#logger.info({ replaced, workers: [...this.#serving].map((w) => w.process.pid) }, `reload done: ${replaced} of ${old.length} workers replaced`);
  }

  /** --limit-max-requests: the worker has served its share; its replacement listens before it stops. */
  async #recycle(worker: Worker): Promise<void> {
    if (this.#stopSignals > 0 || !this.#serving.has(worker)) return;
    const fresh = this.#fork();
    this.#candidates.add(fresh);
    if (!(await listensOrExits(fresh))) {
      if (this.#stopSignals === 0) this.#logger.error({ worker: fresh.process.pid }, `A new worker exited before listening: worker [${worker.process.pid}] keeps serving`);
      return;
    }
    if (this.#serving.has(worker)) this.#retire(worker);
  }

  #stop(signal: NodeJS.Signals): void {
    this.#stopSignals++;
    if (this.#stopSignals > 1) {
      // Each worker takes a second SIGTERM as the order to close its connections now.
      this.#logger.warn({ signal }, "Second signal: workers close their connections now");
      for (const worker of this.#stopping) worker.process.kill("SIGTERM");
      return;
    }
    this.#logger.info({ signal }, `Shutting down: stopping ${this.#serving.size} workers`);
    for (const worker of [...this.#serving]) this.#retire(worker);
    if (this.#stopping.size === 0) this.#done(this.#exitCode);
  }

  /** Asks a worker to stop gracefully (it finishes its in-flight requests), killing it if it outlives its grace period. */
  #retire(worker: Worker): void {
    this.#serving.delete(worker);
    this.#candidates.delete(worker);
    this.#stopping.add(worker);
    worker.process.kill("SIGTERM");
    const timer = setTimeout(() => {
      this.#logger.error({ worker: worker.process.pid }, `worker [${worker.process.pid}] outlived its grace period: killing it`);
      worker.process.kill("SIGKILL");
    }, this.#options.gracePeriod + KILL_MARGIN_MS);
    timer.unref();
    worker.once("exit", () => clearTimeout(timer));
  }
}

const LEAVING = "spry:leaving";
/** A worker's message to its primary: it has served --limit-max-requests and asks to be replaced. */
export const RECYCLE = "spry:recycle";

/**
 * In a worker whose server has closed: resolves once the primary can no longer hand it a
 * connection. node:cluster's primary gives each connection to a worker by message; one sent
 * before the primary learned that the server closed is still on its way, and if the worker
 * exited before answering it, that connection would hang, never answered nor closed. Messages
 * keep their order, so once the primary has echoed this one, every such hand-off has arrived
 * and been turned back (the worker's node:cluster does that), and exiting loses nothing.
 */
export function leaveCluster(): Promise<void> {
  return new Promise((resolve) => {
    if (!cluster.isWorker || !process.connected) return resolve();
    const onMessage = (message: unknown) => {
      if (message !== LEAVING) return;
      process.off("message", onMessage);
      process.off("disconnect", onDisconnect);
      // One more turn, for the answers to those hand-offs to be written to the channel.
      setImmediate(resolve);
    };
    const onDisconnect = () => {
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
    process.once("disconnect", onDisconnect);
    process.send!(LEAVING);
  });
}

function listensOrExits(worker: Worker): Promise<boolean> {
  return new Promise((resolve) => {
    const onListening = () => {
      worker.off("exit", onExit);
      resolve(true);
    };
    const onExit = () => {
      worker.off("listening", onListening);
      resolve(false);
    };
    worker.once("listening", onListening);
    worker.once("exit", onExit);
  });
}
