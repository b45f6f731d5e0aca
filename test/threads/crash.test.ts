// docs/reliability.md row 27: a worker thread that throws or dies fails its call (500 for a route), is
// replaced, and the process stays up.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Spry, WorkerCrashed, threadPool } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";
import { add, exitThread, fails, throwAfterReturning, throwLater } from "./fixtures/functions.ts";

threadPool.configure({ size: 1 });
after(() => threadPool.close());

test("process.exit() in the thread fails that call with WorkerCrashed; the next call runs on a new thread", async () => {
  const before = (await add(0, 0)).threadId;
  await assert.rejects(exitThread(), (error: Error) => {
    assert.ok(error instanceof WorkerCrashed);
    assert.match(error.message, /^The worker thread running exitThread \(file:.*functions\.ts\) died: worker exited with code: 3/);
    return true;
  });
  const afterwards = await add(1, 1);
  assert.equal(afterwards.sum, 2);
  assert.notEqual(afterwards.threadId, before);
});

test("an error thrown asynchronously in the thread, with nothing to catch it, fails only that call", async () => {
  const crashed = threadPool.stats().crashed;
  await assert.rejects(throwLater(), (error: Error) => {
    assert.ok(error instanceof WorkerCrashed);
    assert.match(error.message, /died: thrown by a timer, with nothing to catch it/);
    return true;
  });
  assert.equal((await add(2, 2)).sum, 4);
  // Its own crash, counted whether or not an earlier test crashed a thread too.
  assert.equal(threadPool.stats().crashed, crashed + 1);
});

test("a thread dying between calls is logged and replaced; no call fails, the process stays up", async () => {
  const logger = recordingLogger();
  threadPool.useLogger(logger);
  const crashed = threadPool.stats().crashed;
  assert.equal(await throwAfterReturning(), "returned");
  for (let i = 0; i < 500 && threadPool.stats().crashed === crashed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(threadPool.stats().crashed, crashed + 1);
  assert.deepEqual(logger.entries.map((e) => [e.level, e.message]), [["error", "A worker thread died between calls; it has been replaced"]]);
  assert.match((logger.entries[0]!.fields.err as Error).message, /left behind by an earlier call/);
  assert.equal((await add(3, 3)).sum, 6);
});

forEachTransport("routes whose threaded function fails or dies", (connect) => {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  app.get("/exit", {}, exitThread);
  app.get("/fails", {}, fails);
  app.get("/ok", {}, () => add(20, 22).then(({ sum }) => ({ sum })));
  const client = connect(app);

  test("a dying thread answers 500, logged once, and the next request is served", async () => {
    logger.entries.length = 0;
    const res = await client.get("/exit");
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
    const errors = logger.entries.filter((e) => e.level === "error");
    assert.equal(errors.length, 1);
    assert.match(String((errors[0]!.fields.err as Error).message), /exitThread/);
    assert.deepEqual(await (await client.get("/ok")).json(), { sum: 42 });
  });

  test("a throwing function answers 500 through the normal path, logged once with its name", async () => {
    logger.entries.length = 0;
    const res = await client.get("/fails");
    assert.equal(res.status, 500);
    const errors = logger.entries.filter((e) => e.level === "error");
    assert.equal(errors.length, 1);
    assert.equal((errors[0]!.fields.err as Error).name, "TokenExpired");
  });
});
