import { isMainThread, workerData } from "node:worker_threads";

/** The workerData key that marks spry's pool threads. */
export const POOL_WORKER = "spryPoolWorker";

/**
 * Whether this thread is one of spry's pool threads: there, `threaded` functions run inline,
 * since a pool thread waiting on the pool could deadlock it.
 */
export const inPoolWorker: boolean = !isMainThread && (workerData as Record<string, unknown> | null)?.[POOL_WORKER] === true;
