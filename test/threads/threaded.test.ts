// threaded(): calls run on a pool thread, results and errors come back, buffers move.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { threadId } from "node:worker_threads";
import { HTTPException, threadPool, threaded, transfer } from "spry";
import { add, fails, hashPassword, nested, notFound, returnsFunction, sumAndEcho, whereAmI } from "./fixtures/functions.ts";

threadPool.configure({ size: 2 });
after(() => threadPool.close());

test("a call runs on another thread and resolves to the function's result", async () => {
  const result = await add(2, 3);
  assert.equal(result.sum, 5);
  assert.notEqual(result.threadId, threadId);
  assert.equal(await hashPassword("secret"), await hashPassword("secret"));
  assert.notEqual(await hashPassword("secret"), await hashPassword("other"));
});

test("the function's error reaches the caller with its name, message and code", async () => {
  await assert.rejects(fails(), (error: Error & { code?: string }) => {
    assert.ok(error instanceof Error);
    assert.equal(error.name, "TokenExpired");
    assert.equal(error.message, "the token expired at noon");
    assert.equal(error.code, "E_EXPIRED");
    assert.match(error.stack ?? "", /functions\.ts/);
    return true;
  });
});

test("an HTTPException keeps its status, detail and headers", async () => {
  await assert.rejects(notFound(7), (error: unknown) => {
    assert.ok(error instanceof HTTPException);
    assert.deepEqual([error.status, error.detail, error.headers], [404, "No item 7", { "x-item": "7" }]);
    return true;
  });
});

test("transfer() moves a buffer to the thread: the sender's copy is detached", async () => {
  const bytes = new Uint8Array([1, 2, 3, 250]);
  const result = await sumAndEcho({ bytes: transfer(bytes) });
  assert.equal(bytes.buffer.byteLength, 0, "moved, not copied");
  assert.equal(result.sum, 256);
  assert.deepEqual([...result.echo], [1, 2, 3, 250]);
});

test("a view over part of a larger buffer is copied, not moved: the rest of the buffer is not its own", async () => {
  const whole = new Uint8Array([9, 1, 2, 9]);
  const part = whole.subarray(1, 3);
  assert.equal((await sumAndEcho({ bytes: transfer(part) })).sum, 3);
  assert.deepEqual([...whole], [9, 1, 2, 9]);
});

test("without transfer() the buffer is copied and stays usable", async () => {
  const bytes = new Uint8Array([4, 5]);
  assert.equal((await sumAndEcho({ bytes })).sum, 9);
  assert.equal(bytes.buffer.byteLength, 2);
});

test("a threaded function called inside a pool thread runs inline, on that thread", async () => {
  const { outer, inner } = await nested();
  assert.notEqual(outer, threadId);
  assert.equal(inner, outer);
  assert.notEqual(await whereAmI(), threadId);
});

test("arguments that cannot be copied: a TypeError naming the function, and the pool still works", async () => {
  const sneaky = add as unknown as (a: unknown, b: number) => Promise<unknown>;
  await assert.rejects(sneaky(() => 1, 2), (error: Error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /^add \(file:.*functions\.ts\) runs in a worker thread, and its arguments must be plain data/);
    assert.match(error.message, /could not be cloned/);
    return true;
  });
  assert.equal((await add(1, 1)).sum, 2);
});

test("a class instance argument is refused, since the thread would get it without its methods", async () => {
  class Point {
    readonly x: number;
    constructor(x: number) {
      this.x = x;
    }
    norm(): number {
      return Math.abs(this.x);
    }
  }
  const sneaky = add as unknown as (a: unknown, b: unknown) => Promise<unknown>;
  await assert.rejects(sneaky(1, { at: new Point(1) }), /^TypeError: add \(file:.*\) runs in a worker thread, .*argument 2\.at is a Point/);
  await assert.doesNotReject(sneaky(new Date(0), new Map([[1, 2]])), "built-in types clone faithfully");
});

test("a result that cannot be copied fails the call, names the function, and the pool recovers", async () => {
  await assert.rejects(returnsFunction(), /returnsFunction .*could not be cloned/);
  assert.equal((await add(1, 2)).sum, 3);
});

test("declaring needs a module URL and a name", () => {
  assert.throws(() => threaded("hashing.ts", function f() {}), /import\.meta\.url/);
  assert.throws(() => threaded(import.meta.url, () => 1), /needs a name/);
  threaded(import.meta.url, { name: "twice" }, () => 1);
  assert.throws(() => threaded(import.meta.url, { name: "twice" }, () => 2), /Two functions are named "twice"/);
});

// Counts its own calls, so that it holds whichever tests ran before it, or none.
test("stats count what happened", async () => {
  const before = threadPool.stats();
  await Promise.all([add(1, 2), add(3, 4), add(5, 6)]);
  await assert.rejects(fails());
  await assert.rejects(notFound(1));
  const stats = threadPool.stats();
  assert.equal(stats.started, true);
  assert.equal(stats.size, 2);
  assert.equal(stats.maxQueue, 64);
  assert.deepEqual([stats.running, stats.queued], [0, 0]);
  assert.equal(stats.completed - before.completed, 3);
  assert.equal(stats.failed - before.failed, 2);
  assert.ok(stats.runTime.p99 >= stats.runTime.p50 && stats.runTime.p50 > 0);
});
