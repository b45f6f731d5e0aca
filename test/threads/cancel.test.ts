// Cancelling: a queued call is removed and never runs; a running one finishes on its thread
// while its caller moves on, unless `terminate` asks for the thread to be stopped.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { z } from "zod";
import { Spry, depends, threadPool } from "spry";
import { add, hold, holdInputs } from "./fixtures/functions.ts";

threadPool.configure({ size: 1 });
after(() => threadPool.close());

const gate = (): Int32Array => new Int32Array(new SharedArrayBuffer(8));
const open = (g: Int32Array): void => {
  Atomics.store(g, 0, 1);
  Atomics.notify(g, 0);
};
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition());
}

test("a queued call whose signal aborts rejects with the reason and never runs", async () => {
  const g = gate();
  const running = hold(g, 1);
  await until(() => Atomics.load(g, 1) === 1);
  const controller = new AbortController();
  const queued = hold.with({ signal: controller.signal })(g, 2);
  const reason = new Error("the client left");
  controller.abort(reason);
  await assert.rejects(queued, (error) => error === reason);
  assert.equal(threadPool.stats().queued, 0);
  open(g);
  assert.equal(await running, 1);
  await add(0, 0); // FIFO: had the cancelled call stayed queued, it would have run before this one
  assert.equal(Atomics.load(g, 1), 1);
  assert.equal(threadPool.stats().cancelled, 1);
});

test("an already aborted signal: rejected at once, nothing runs", async () => {
  const g = gate();
  await assert.rejects(hold.with({ signal: AbortSignal.abort("gone") })(g, 1), (error) => error === "gone");
  assert.equal(Atomics.load(g, 1), 0);
});

test("a running call whose signal aborts: the caller rejects at once, the thread finishes and is kept", async () => {
  const g = gate();
  const before = (await add(0, 0)).threadId;
  const controller = new AbortController();
  const call = hold.with({ signal: controller.signal })(g, 1);
  await until(() => Atomics.load(g, 1) === 1);
  controller.abort("gone");
  await assert.rejects(call, (error) => error === "gone");
  assert.equal(threadPool.stats().running, 1, "still running on its thread");
  open(g);
  assert.equal((await add(0, 0)).threadId, before, "the same thread, not terminated");
});

test("with terminate, a running call's thread is stopped and replaced", async () => {
  const g = gate();
  const before = (await add(0, 0)).threadId;
  const controller = new AbortController();
  const call = hold.with({ signal: controller.signal, terminate: true })(g, 1);
  await until(() => Atomics.load(g, 1) === 1);
  controller.abort("gone");
  await assert.rejects(call, (error) => error === "gone");
  const next = await add(1, 1);
  assert.equal(next.sum, 2);
  assert.notEqual(next.threadId, before);
});

test("a threaded route's queued call is cancelled when its request's signal aborts", async () => {
  const g = gate();
  const app = new Spry({ logger: false });
  app.get("/held/{id}", { gate: depends(() => g), id: z.int() }, holdInputs);
  const running = hold(g, 0);
  await until(() => Atomics.load(g, 1) === 1);
  const controller = new AbortController();
  const answer = app.fetch(new Request("http://x/held/1", { signal: controller.signal })).catch((error: unknown) => error);
  await until(() => threadPool.stats().queued === 1);
  controller.abort();
  await until(() => threadPool.stats().queued === 0);
  open(g);
  await running;
  await answer;
  await add(0, 0);
  assert.equal(Atomics.load(g, 1), 1, "the route's call never ran");
});
