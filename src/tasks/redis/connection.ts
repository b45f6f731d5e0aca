import type { Redis } from "ioredis";
import { loadQueueLibraries } from "./libraries.ts";
import { safeUrl, type ResolvedQueueOptions } from "./options.ts";

/** Redis could not take the task: it was not stored, and the caller is told so at once. */
export class TaskQueueUnavailable extends Error {
  override readonly name = "TaskQueueUnavailable";
}

// Reconnect quickly at first and then every 2 s at most: a restarted Redis is found within
// seconds, without hammering one that is down for long.
const retryStrategy = (times: number): number => Math.min(50 * 2 ** times, 2000);

/**
 * A producer's connection. No offline queue: a command issued while Redis is unreachable fails
 * at once instead of waiting in memory, where a crash of this process would lose it; `add`
 * waits for the connection itself, bounded (waitUntilReady), and then refuses clearly.
 */
export async function producerConnection(options: ResolvedQueueOptions): Promise<Redis> {
  const { Redis } = await loadQueueLibraries();
  return new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, connectionName: `spry-producer:${process.pid}` });
}

/**
 * A worker's connection: commands wait for Redis to come back (BullMQ requires
 * maxRetriesPerRequest null for its blocking reads), since a worker has nobody to report to.
 */
export async function workerConnection(options: ResolvedQueueOptions): Promise<Redis> {
  const { Redis } = await loadQueueLibraries();
  return new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy, connectionName: `spry-worker:${process.pid}` });
}

/** Resolves once `client` is connected, or rejects with TaskQueueUnavailable after `timeout` ms. */
export async function waitUntilReady(client: Redis, timeout: number, what: string, url: string): Promise<void> {
  if (client.status === "ready") return;
  let waiting = pending.get(client);
  if (waiting === undefined) {
    waiting = readyWithin(client, timeout).finally(() => pending.delete(client));
    pending.set(client, waiting);
  }
  const failure = await waiting;
  if (failure !== undefined) throw new TaskQueueUnavailable(`${what}: Redis at ${safeUrl(url)} is unreachable (${failure}); nothing was stored`);
}

// Adds that arrive while Redis is away share one wait (and one set of listeners on the client).
const pending = new WeakMap<Redis, Promise<string | undefined>>();

/** undefined once `client` is ready, or why it is not after `timeout` ms. */
async function readyWithin(client: Redis, timeout: number): Promise<string | undefined> {
  let lastError: Error | undefined;
  const onError = (error: Error) => (lastError = error);
  let onReady!: () => void;
  let timer: NodeJS.Timeout | undefined;
  client.on("error", onError);
  try {
    const ready = await new Promise<boolean>((resolve) => {
      onReady = () => resolve(true);
      client.once("ready", onReady);
      timer = setTimeout(() => resolve(false), timeout);
    });
    return ready ? undefined : (lastError?.message ?? `status ${client.status}`);
  } finally {
    clearTimeout(timer);
    client.off("error", onError);
    client.off("ready", onReady);
  }
}
