// A bounded queue: past maxQueue a call is refused at once (503 + Retry-After for a route),
// never queued; and stats() shows the saturation as it happens.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { PoolSaturated, Spry, depends, threadPool } from "spry";
import { TestClient } from "spry/testing";
import { z } from "zod";
import { hold, holdInputs } from "./fixtures/functions.ts";

threadPool.configure({ size: 1, maxQueue: 2, retryAfter: 3 });
after(() => threadPool.close());

function gate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

function open(g: Int32Array): void {
  Atomics.store(g, 0, 1);
  Atomics.notify(g, 0);
}

async function untilStarted(g: Int32Array, count: number): Promise<void> {
  for (let i = 0; i < 500 && Atomics.load(g, 1) < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(Atomics.load(g, 1), count);
}

test("one running and two queued fill a pool of one with maxQueue 2: the next call is refused at once", async () => {
  const g = gate();
  const running = hold(g, 1);
  await untilStarted(g, 1);
  const queued = [hold(g, 2), hold(g, 3)];
  let stats = threadPool.stats();
  assert.deepEqual([stats.running, stats.queued], [1, 2]);

  await assert.rejects(hold(g, 4), (error: unknown) => {
    assert.ok(error instanceof PoolSaturated);
    assert.deepEqual([error.status, error.headers], [503, { "Retry-After": "3" }]);
    return true;
  });
  assert.equal(threadPool.stats().rejected, 1);

  open(g);
  assert.deepEqual(await Promise.all([running, ...queued]), [1, 2, 3]);
  assert.equal(Atomics.load(g, 1), 3, "the refused call never ran");
  stats = threadPool.stats();
  assert.deepEqual([stats.running, stats.queued, stats.completed], [0, 0, 3]);
  assert.ok(stats.waitTime.p99 >= stats.waitTime.p50);
});

test("a route whose threaded dependency meets a full queue answers 503 with Retry-After", async () => {
  const g = gate();
  const app = new Spry({ logger: false, threads: { size: 1, maxQueue: 2, retryAfter: 3 } });
  const held = depends({ gate: depends(() => g), id: z.int() }, holdInputs);
  app.get("/held/{id}", { value: held }, ({ value }) => ({ value }));
  const client = new TestClient(app);

  const responses = [client.get("/held/1")];
  await untilStarted(g, 1);
  responses.push(client.get("/held/2"), client.get("/held/3"));
  for (let i = 0; i < 500 && app.threads.stats().queued < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));

  const refused = await client.get("/held/4");
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "3");
  assert.deepEqual(await refused.json(), { detail: "Service Unavailable" });

  open(g);
  assert.deepEqual(await Promise.all(responses.map(async (r) => (await r).json())), [{ value: 1 }, { value: 2 }, { value: 3 }]);
  await app.shutdown();
});
