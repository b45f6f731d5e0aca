/** Which jobs BullMQ keeps once they finish: a count, an age in seconds, or both. */
export type KeepJobs = { readonly count: number } | { readonly age: number; readonly count?: number };

/** Options of `redisQueue()`: where the queue lives, and how its workers run. */
export interface RedisQueueOptions {
  /** Redis URL (`redis://[:password@]host:port[/db]`, `rediss://` for TLS). Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /** The queue's name; producers and workers of one app share it. Default "spry". */
  queue?: string;
  /** Prefix of every Redis key of the queue. Default "bull", BullMQ's, so BullMQ's tools find it. */
  prefix?: string;
  /**
   * How long `add` waits for Redis when it is unreachable before refusing the task with
   * TaskQueueUnavailable, in ms. Default 2000: long enough to ride over a Redis restart,
   * short enough that a request is not held for long.
   */
  unavailableTimeout?: number;
  /** Completed jobs kept (the rest are trimmed). Default: the last 1000, for at most a day. */
  keepCompleted?: KeepJobs;
  /** Failed jobs kept: the dead-letter list. Default: all of them. */
  keepFailed?: KeepJobs | "all";
  /** Tasks one `spry worker` process runs at once. Default 10; `--concurrency` overrides it. */
  concurrency?: number;
  /**
   * How long a worker holds a job's lock before renewing it, in ms (BullMQ's lockDuration,
   * default 30000). A worker that dies mid-task (kill -9, a lost machine) stops renewing it; once
   * it expires, the task is taken up again by another worker.
   */
  lockDuration?: number;
  /** How often workers look for jobs whose lock expired, in ms (BullMQ's stalledInterval, default 30000). */
  stalledInterval?: number;
  /**
   * How many times one job may be taken up again after its worker died before it is moved to
   * the dead-letter list (BullMQ's maxStalledCount, default 1): a task that kills its worker
   * every time stops after this many.
   */
  maxStalledCount?: number;
  /** After SIGTERM or SIGINT, how long running tasks may take to finish before they are put back in the queue, in ms. Default 30000. */
  gracePeriod?: number;
}

export interface ResolvedQueueOptions {
  readonly url: string;
  readonly queue: string;
  readonly prefix: string;
  readonly unavailableTimeout: number;
  readonly keepCompleted: KeepJobs;
  readonly keepFailed: KeepJobs | "all";
  readonly concurrency: number;
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalledCount: number;
  readonly gracePeriod: number;
}

export function resolveQueueOptions(options: RedisQueueOptions, env: NodeJS.ProcessEnv = process.env): ResolvedQueueOptions {
  const resolved = {
    url: options.url ?? (env.REDIS_URL || "redis://127.0.0.1:6379"),
    queue: options.queue ?? "spry",
    prefix: options.prefix ?? "bull",
    unavailableTimeout: options.unavailableTimeout ?? 2000,
    keepCompleted: options.keepCompleted ?? { count: 1000, age: 24 * 3600 },
    keepFailed: options.keepFailed ?? "all",
    concurrency: options.concurrency ?? 10,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 1,
    gracePeriod: options.gracePeriod ?? 30_000,
  };
  if (!/^rediss?:\/\//.test(resolved.url)) throw new TypeError(`redisQueue: url must start with redis:// or rediss://, got ${JSON.stringify(resolved.url)}`);
  if (resolved.queue === "" || resolved.queue.includes(":")) throw new TypeError(`redisQueue: queue must be a non-empty name without ":", got ${JSON.stringify(resolved.queue)}`);
  for (const name of ["unavailableTimeout", "lockDuration", "stalledInterval", "gracePeriod"] as const) {
    if (!(Number.isFinite(resolved[name]) && resolved[name] >= 0)) throw new TypeError(`redisQueue: ${name} must be a number of milliseconds, got ${resolved[name]}`);
  }
  if (!(Number.isInteger(resolved.concurrency) && resolved.concurrency >= 1)) throw new TypeError(`redisQueue: concurrency must be a positive integer, got ${resolved.concurrency}`);
  if (!(Number.isInteger(resolved.maxStalledCount) && resolved.maxStalledCount >= 0)) throw new TypeError(`redisQueue: maxStalledCount must be an integer >= 0, got ${resolved.maxStalledCount}`);
  return resolved;
}

/** The URL without its password, for logs and error messages. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_, auth: string) => `//${auth.includes(":") ? `${auth.split(":")[0]}:***` : "***"}@`);
}
