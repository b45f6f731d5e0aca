import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { sleep } from "spry";
import { abortWaiters, ownSignal } from "../../src/toolkit/abort-waiters.ts";

test("sleep resolves after its delay, letting other work run meanwhile", async () => {
  const order: string[] = [];
  // Long enough that a loaded machine cannot fire the timer before the next turn's setImmediate.
  const slow = sleep(250).then(() => order.push("slow"));
  await new Promise((resolve) => setImmediate(resolve));
  order.push("other");
  await slow;
  assert.deepEqual(order, ["other", "slow"]);
});

test("an abort ends the wait early with the signal's reason", async () => {
  const controller = new AbortController();
  const reason = new Error("client left");
  const waiting = sleep(60_000, { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
});

test("an already aborted signal rejects at once, even for a zero delay", async () => {
  const reason = new Error("gone");
  await assert.rejects(sleep(0, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
  await assert.rejects(sleep(1000, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
});

test("sleep(0) and negative delays resolve without a timer", async () => {
  const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const pending = sleep(0);
  assert.equal(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length, before);
  await pending;
  await sleep(-5);
});

test("sleep(0) is one await's yield: over before the loop's next turn, for every caller", async () => {
  let turned = false;
  setImmediate(() => (turned = true));
  await Promise.all([sleep(0), sleep(0, { signal: new AbortController().signal })]);
  assert.equal(turned, false);
});

test("with a signal, sleep leaves no listener once the wait is over and no timer after an abort", async () => {
  const controller = new AbortController();
  await sleep(5, { signal: controller.signal });
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const waiting = sleep(60_000, { signal: controller.signal });
  assert.equal(timers(), before + 1);
  controller.abort(new Error("left"));
  await assert.rejects(waiting);
  assert.equal(timers(), before);
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
});

test("on a request's own signal, sleeps wait without a listener and are each told of the abort", async () => {
  const controller = new AbortController();
  ownSignal(controller.signal);
  await sleep(5, { signal: controller.signal });
  const reason = new Error("client left");
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const first = sleep(60_000, { signal: controller.signal });
  const second = sleep(60_000, { signal: controller.signal });
  const third = sleep(60_000, { signal: controller.signal });
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  assert.equal(timers(), before + 3);
  controller.abort(reason);
  abortWaiters(controller.signal, reason);
  for (const waiting of [first, second, third]) await assert.rejects(waiting, (error) => error === reason);
  assert.equal(timers(), before);
});

test("a sleep over on a request's own signal is no longer its waiter: a later abort rejects nothing", async () => {
  const controller = new AbortController();
  ownSignal(controller.signal);
  await sleep(5, { signal: controller.signal });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const reason = new Error("client left");
    controller.abort(reason);
    abortWaiters(controller.signal, reason);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
