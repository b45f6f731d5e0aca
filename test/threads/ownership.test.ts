// The pool belongs to whoever made it: an app given `threads` owns its own and its shutdown
// closes that one only; apps without share the process's `threadPool`, which closes when the
// last app that used it shuts down. Two apps in one process never reconfigure or close each
// other's threads.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { threadId } from "node:worker_threads";
import { z } from "zod";
import { Spry, depends, threadPool } from "spry";
import { TestClient } from "spry/testing";
import { hashRoute, whoAmI } from "./fixtures/routes.ts";

after(() => threadPool.close());

function hashingApp(options: ConstructorParameters<typeof Spry>[0] = {}): Spry {
  const app = new Spry({ logger: false, ...options });
  app.post("/hash", { password: z.string() }, hashRoute);
  return app;
}

async function hashes(app: Spry): Promise<boolean> {
  const res = await new TestClient(app).post("/hash", { query: { password: "p" } });
  return res.status === 200 && (await res.json()).threadId !== threadId;
}

test("apps with pools of their own: each its own size, and one's shutdown leaves the other's running", async () => {
  const a = hashingApp({ threads: { size: 1 } });
  const b = hashingApp({ threads: { size: 2, maxQueue: 5 } });
  assert.notEqual(a.threads, b.threads);
  assert.notEqual(a.threads, threadPool);
  assert.deepEqual([a.threads.stats().size, b.threads.stats().size, b.threads.stats().maxQueue], [1, 2, 5]);
  const shared = threadPool.stats();
  assert.ok(await hashes(a));
  assert.ok(await hashes(b));
  assert.equal(a.threads.stats().completed, 1);
  assert.equal(b.threads.stats().completed, 1);
  assert.equal(threadPool.stats().completed, shared.completed, "nothing ran on the shared pool");
  await a.shutdown();
  assert.equal(a.threads.stats().started, false);
  assert.equal(b.threads.stats().started, true);
  assert.ok(await hashes(b), "b still answers on its threads");
  await b.shutdown();
  assert.equal(b.threads.stats().started, false);
});

test("apps sharing the process's pool: it closes when the last one that used it shuts down", async () => {
  const a = hashingApp();
  const b = hashingApp();
  const idle = hashingApp();
  assert.equal(a.threads, threadPool);
  assert.ok(await hashes(a));
  assert.ok(await hashes(b));
  await idle.shutdown();
  assert.equal(threadPool.stats().started, true, "an app that never used the pool closes nothing");
  await a.shutdown();
  assert.equal(threadPool.stats().started, true, "b still uses it");
  assert.ok(await hashes(b));
  await b.shutdown();
  assert.equal(threadPool.stats().started, false);
});

test("a dependency's threaded function runs on its app's pool", async () => {
  const app = new Spry({ logger: false, threads: { size: 1 } });
  app.get("/where", { where: depends(whoAmI) }, ({ where }) => ({ where }));
  const res = await new TestClient(app).get("/where");
  assert.notEqual((await res.json()).where, threadId);
  assert.equal(app.threads.stats().completed, 1);
  await app.shutdown();
  assert.equal(app.threads.stats().started, false);
});
