// The queue end to end: tasks added in this process run in a real `spry worker` process.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TaskArgsInvalid, TaskArgsNotSerializable } from "../../../src/tasks/redis/index.ts";
import { spryExit, waitFor } from "../../server/spry-process.ts";
import { crunch, dated, flaky, later, note, usesState } from "./fixtures/tasks.ts";
import { harness, of, TIMEOUT_MS, type Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await harness();
});
after(() => h.dispose());

test("an added task runs once in the worker, with the app started (lifespan state) and its argument validated again", async () => {
  const worker = await h.worker({ concurrency: 1 });
  await h.queue.add(note, { id: "first" });
  await h.queue.add(usesState, { id: "state" });
  await h.queue.add(dated, { id: "dated", when: "2031-05-06T00:00:00Z" });
  const records = await h.waitForRecords("the three tasks", (r) => of(r, "dated").length === 1, () => worker.stderr());
  assert.deepEqual(
    records.map(({ task, id, attempt }) => ({ task, id, attempt })),
    [
      { task: "note", id: "first", attempt: 1 },
      { task: "usesState", id: "state", attempt: 1 },
      { task: "dated", id: "dated", attempt: 1 },
    ],
  );
  assert.ok(records.every((r) => r.pid === worker.pid), "ran in the worker process");
  assert.deepEqual(of(records, "first")[0]!.args, { id: "first" }, "the argument as the task received it");
  assert.equal(of(records, "state")[0]!.greeting, "hello from the lifespan");
  // The text went to the worker; the schema turned it into a Date there.
  assert.equal(of(records, "dated")[0]!.year, 2031);
});

test("a blocking task runs in the worker's thread pool", async () => {
  await h.queue.add(crunch, { id: "crunch" });
  const [record] = of(await h.waitForRecords("the blocking task", (r) => of(r, "crunch").length === 1), "crunch");
  assert.notEqual(record!.thread, 0, "not on the main thread");
  assert.equal(record!.attempt, 1);
});

test("what JSON would change or cannot encode is refused at add, naming the task and the value; nothing is stored", async () => {
  const before = await h.queue.counts();
  const cycle: { id: string; self?: unknown } = { id: "c" };
  cycle.self = cycle;
  class Point {
    readonly x: number;
    constructor(x: number) {
      this.x = x;
    }
  }
  const refused: [unknown, RegExp][] = [
    [{ id: "f", extra: () => 1 }, /args\.extra is a function/],
    [{ id: "b", n: 10n }, /args\.n is a BigInt/],
    [cycle, /args\.self refers back to an enclosing object \(a cycle\)/],
    [{ id: "d", when: new Date() }, /args\.when is a Date .*toISOString/],
    [{ id: "m", map: new Map() }, /args\.map is a Map/],
    [{ id: "p", point: new Point(1) }, /args\.point is a Point/],
    [{ id: "n", list: [1, Number.NaN] }, /args\.list\[1\] is NaN/],
    [{ id: "u", list: [undefined] }, /args\.list\[0\] is undefined/],
  ];
  for (const [args, message] of refused) {
    await assert.rejects(h.queue.add(note, args as never), (error: Error) => {
      assert.ok(error instanceof TaskArgsNotSerializable, String(error));
      assert.match(error.message, /^Task "note" was not queued/);
      assert.match(error.message, message);
      return true;
    });
  }
  await assert.rejects(h.queue.add(note, { id: 42 } as never), (error: Error) => error instanceof TaskArgsInvalid && /Task "note".*id:/.test(error.message));
  assert.deepEqual(await h.queue.counts(), before);
});

test("an undefined property is dropped, as for an absent optional one", async () => {
  await h.queue.add(note, { id: "undefined-prop", note: undefined });
  await h.queue.add(note, { id: "with-note", note: "kept" });
  const records = await h.waitForRecords("the tasks", (r) => of(r, "undefined-prop").length === 1 && of(r, "with-note").length === 1);
  // The task got no `note` key at all, as if it had never been given, and a real one intact.
  assert.deepEqual(of(records, "undefined-prop")[0]!.keys, ["id"]);
  assert.deepEqual(of(records, "undefined-prop")[0]!.args, { id: "undefined-prop" });
  assert.deepEqual(of(records, "with-note")[0]!.args, { id: "with-note", note: "kept" });
});

test("retries with backoff, then the dead-letter list; a dead letter can be retried", async () => {
  const id = await h.queue.add(flaky, { id: "dies", okAt: 99 });
  await h.queue.add(flaky, { id: "recovers", okAt: 2 });
  await waitFor("the dead letter", async () => (await h.queue.counts()).failed === 1, TIMEOUT_MS);
  const records = await h.waitForRecords("the recovered task", (r) => of(r, "recovers").length === 2);
  const dies = of(records, "dies");
  assert.deepEqual(dies.map((r) => r.attempt), [1, 2, 3], "retries: 2 means three attempts");
  assert.deepEqual(of(records, "recovers").map((r) => r.attempt), [1, 2]);
  // The backoff is a lower bound BullMQ keeps: no retry starts before it.
  for (let i = 1; i < dies.length; i++) assert.ok(dies[i]!.at! - dies[i - 1]!.at! >= 300, `retry ${i} waited its backoff`);
  const [dead, ...more] = await h.queue.deadLetters();
  assert.equal(more.length, 0);
  assert.equal(dead!.id, id);
  assert.equal(dead!.task, "flaky");
  assert.deepEqual(dead!.args, { id: "dies", okAt: 99 });
  assert.equal(dead!.attempts, 3);
  assert.equal(dead!.error, "flaky dies failed on attempt 3");

  await h.queue.retryDeadLetter(id);
  await h.waitForRecords("the retried dead letter", (r) => of(r, "dies").length >= 4);
});

test("a delayed task waits its delay; tasks added after it run first", async () => {
  const added = Date.now();
  await h.queue.add(later, { id: "later" });
  await h.queue.add(note, { id: "sooner" });
  const records = await h.waitForRecords("the delayed task", (r) => of(r, "later").length === 1);
  const order = records.map((r) => r.id);
  assert.ok(order.indexOf("sooner") < order.indexOf("later"));
  assert.ok(of(records, "later")[0]!.at! - added >= 1500);
});

test("spry worker: usage errors and an app without a queue fail with one clear line", async () => {
  const missing = await spryExit(["worker"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing FILE: spry worker FILE/);
  const noQueue = await spryExit(["worker", "examples/seed/main.ts"]);
  assert.equal(noQueue.code, 1);
  assert.match(noQueue.stderr, /examples\/seed\/main\.ts configures no Redis queue/);
  const badConcurrency = await spryExit(["worker", "test/tasks/redis/fixtures/app.ts", "--concurrency", "0"]);
  assert.equal(badConcurrency.code, 2);
});
