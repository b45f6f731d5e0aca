// docs/task-queue.md's examples, run against a real redis-server: the API stores both tasks
// (one waiting, one delayed a minute) and answers; the dead-letter script lists the queue.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { redisQueue } from "spry/queue";
import { TestClient } from "spry/testing";
import { startRedis, type RedisServer } from "../support/redis.ts";
import { ROOT } from "../server/spry-process.ts";

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
  process.env.REDIS_URL = redis.url;
});
after(async () => {
  delete process.env.REDIS_URL;
  await redis.dispose();
});

test("POST /orders/{orderId} answers once both tasks are stored in Redis", async () => {
  const { default: app } = await import("../../docs/examples/task-queue/main.ts");
  const client = new TestClient(app);
  const res = await client.post("/orders/A-1", { query: { email: "ada@example.com" } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { orderId: "A-1", status: "accepted" });
  const queue = redisQueue({ url: redis.url, queue: "shop" });
  try {
    const counts = await queue.counts();
    assert.equal(counts.waiting, 1, "sendReceipt waits for a worker");
    assert.equal(counts.delayed, 1, "renderInvoice starts a minute later");
  } finally {
    await queue.close();
  }
  const bad = await client.post("/orders/A-2", { query: { email: "not an email" } });
  assert.equal(bad.status, 422);
  await app.shutdown();
});

test("the dead-letter script prints the queue's counts and exits", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["docs/examples/task-queue/dead-letters.ts"], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redis.url },
  });
  assert.match(stdout, /waiting: 1/);
  assert.match(stdout, /delayed: 1/);
});
