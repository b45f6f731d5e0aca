// bullmq and ioredis are optional peer dependencies: loaded on first use, so an app without a
// queue never loads them (nor needs them installed).
type BullMQ = typeof import("bullmq");
type IORedis = typeof import("ioredis").Redis;

export interface QueueLibraries {
  readonly bullmq: BullMQ;
  readonly Redis: IORedis;
}

let loading: Promise<QueueLibraries> | undefined;

export function loadQueueLibraries(): Promise<QueueLibraries> {
  return (loading ??= (async () => {
    try {
      const [bullmq, ioredis] = await Promise.all([import("bullmq"), import("ioredis")]);
      return { bullmq, Redis: ioredis.Redis };
    } catch (error) {
      loading = undefined;
      if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
        throw new Error("spry/queue needs bullmq and ioredis: npm install bullmq ioredis", { cause: error });
      }
      throw error;
    }
  })());
}
