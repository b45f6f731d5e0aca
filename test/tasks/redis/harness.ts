// What the queue's tests share: a redis-server of their own, `spry worker` and `spry run`
// child processes on the fixture app, a producer in the test process, and the record file the
// fixture tasks append to. Every wait is a bounded poll.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisQueue, type RedisQueue } from "../../../src/tasks/redis/index.ts";
import { startRedis, type RedisServer } from "../../support/redis.ts";
import { killAll, spry, waitFor, type SpryProcess } from "../../server/spry-process.ts";

export const APP = "test/tasks/redis/fixtures/app.ts";
export const API = "test/tasks/redis/fixtures/api.ts";
/** Long enough for a loaded machine; only reached when something is broken. */
export const TIMEOUT_MS = 30_000;

export interface Record {
  task: string;
  id: string;
  attempt: number;
  pid: number;
  phase?: "start" | "end";
  at?: number;
  greeting?: string;
  year?: number;
  thread?: number;
  /** What the task received (`note` records it), and its keys in order. */
  args?: unknown;
  keys?: string[];
}

export interface Harness {
  readonly redis: RedisServer;
  readonly recordFile: string;
  /** The environment the fixture app reads: this Redis, a queue of its own, short lock and stall intervals. */
  env(extra?: { [name: string]: string }): { [name: string]: string };
  /** A producer in this process, on the same queue. */
  readonly queue: RedisQueue;
  worker(options?: { concurrency?: number; env?: { [name: string]: string } }): Promise<SpryProcess>;
  records(): Record[];
  waitForRecords(what: string, ready: (records: Record[]) => boolean, context?: () => string): Promise<Record[]>;
  dispose(): Promise<void>;
}

let queues = 0;

export async function harness(): Promise<Harness> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), "spry-queue-test-"));
  const recordFile = join(dir, "records.jsonl");
  writeFileSync(recordFile, "");
  const queueName = `test-${process.pid}-${++queues}`;
  const env = (extra: { [name: string]: string } = {}) => ({
    REDIS_URL: redis.url,
    QUEUE_NAME: queueName,
    RECORD_FILE: recordFile,
    LOCK_MS: "2000",
    STALLED_MS: "1000",
    ...extra,
  });
  // The fixture tasks read RECORD_FILE when they run; in this process only to be importable.
  process.env.RECORD_FILE = recordFile;
  const queue = redisQueue({ url: redis.url, queue: queueName, logger: { info() {}, warn() {}, error() {}, debug() {} } });
  const records = () =>
    readFileSync(recordFile, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record);
  return {
    redis,
    recordFile,
    env,
    queue,
    async worker(options = {}) {
      const args = ["worker", APP, ...(options.concurrency === undefined ? [] : ["--concurrency", String(options.concurrency)])];
      const proc = spry(args, { env: env(options.env) });
      await waitFor("spry worker to start", () => proc.stdout().includes("spry worker running") || proc.proc.exitCode !== null, TIMEOUT_MS, () => `${proc.stdout()}${proc.stderr()}`);
      if (!proc.stdout().includes("spry worker running")) throw new Error(`spry worker exited at startup:\n${proc.stdout()}${proc.stderr()}`);
      return proc;
    },
    records,
    async waitForRecords(what, ready, context) {
      await waitFor(what, () => ready(records()), TIMEOUT_MS, () => `records:\n${readFileSync(recordFile, "utf8")}${context ? context() : ""}`);
      return records();
    },
    async dispose() {
      await killAll();
      await queue.close();
      await redis.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The records of one task id, in the order they were written. */
export function of(records: Record[], id: string): Record[] {
  return records.filter((record) => record.id === id);
}
