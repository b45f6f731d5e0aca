// Workers that die or are stopped: kill -9 mid-task (row 31), SIGTERM with the task finishing
// in time, and SIGTERM past the grace period.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { exitWithin, EXIT_TIMEOUT_MS, waitFor } from "../../server/spry-process.ts";
import { note, slow } from "./fixtures/tasks.ts";
import { harness, of, TIMEOUT_MS, type Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await harness();
});
after(() => h.dispose());

const settled = async () => {
  const counts = await h.queue.counts();
  return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
};

test("kill -9 of a worker mid-task: another worker takes it up, marked as attempt 2, and it completes once", async () => {
  const first = await h.worker({ concurrency: 1 });
  await h.queue.add(slow, { id: "killed", firstMs: 600_000, ms: 100 });
  await h.waitForRecords("the first attempt to start", (r) => of(r, "killed").length === 1);
  first.proc.kill("SIGKILL");
  await first.exited;
  const second = await h.worker({ concurrency: 1 });
  // The lock (LOCK_MS) expires and the stalled-job check (STALLED_MS) puts the job back.
  await h.waitForRecords("the task to complete", (r) => of(r, "killed").some((x) => x.phase === "end"), () => second.stdout());
  await waitFor("the queue to settle", settled, TIMEOUT_MS);
  assert.deepEqual(
    of(h.records(), "killed").map(({ attempt, phase, pid }) => ({ attempt, phase, pid })),
    [
      { attempt: 1, phase: "start", pid: first.pid },
      { attempt: 2, phase: "start", pid: second.pid },
      { attempt: 2, phase: "end", pid: second.pid },
    ],
  );
  assert.equal((await h.queue.counts()).completed, 1);
  assert.deepEqual(await h.queue.deadLetters(), []);
  second.proc.kill("SIGTERM");
  assert.deepEqual(await exitWithin(second, EXIT_TIMEOUT_MS), { code: 0, signal: null });
});

test("SIGTERM: the worker takes no new task, finishes the running one, runs the app's shutdown and exits 0", async () => {
  const worker = await h.worker({ concurrency: 1 });
  await h.queue.add(slow, { id: "finishing", ms: 1500 });
  await h.waitForRecords("the task to start", (r) => of(r, "finishing").length === 1);
  worker.proc.kill("SIGTERM");
  await waitFor("the shutdown to begin", () => worker.stdout().includes("Shutting down"), TIMEOUT_MS);
  await h.queue.add(note, { id: "after-sigterm" });
  assert.deepEqual(await exitWithin(worker, EXIT_TIMEOUT_MS), { code: 0, signal: null });
  assert.deepEqual(
    h.records().filter((r) => r.pid === worker.pid).map(({ task, phase }) => ({ task, phase })),
    [
      { task: "slow", phase: "start" },
      { task: "slow", phase: "end" },
      { task: "lifespan", phase: undefined },
    ],
    "the task finished, then the app shut down",
  );
  assert.deepEqual(of(h.records(), "after-sigterm"), [], "no task taken after the signal");
  assert.equal((await h.queue.counts()).waiting, 1);
  // The next worker runs it.
  const next = await h.worker();
  await h.waitForRecords("the task added during shutdown", (r) => of(r, "after-sigterm").length === 1);
  next.proc.kill("SIGTERM");
  await next.exited;
});

test("SIGTERM past the grace period: the running task is aborted, put back at once, and run again as attempt 2", async () => {
  const worker = await h.worker({ concurrency: 1, env: { GRACE_MS: "300", LOCK_MS: "60000", STALLED_MS: "60000" } });
  await h.queue.add(slow, { id: "cut-off", firstMs: 600_000, ms: 100 });
  await h.waitForRecords("the task to start", (r) => of(r, "cut-off").length === 1);
  worker.proc.kill("SIGTERM");
  assert.deepEqual(await exitWithin(worker, EXIT_TIMEOUT_MS), { code: 0, signal: null });
  assert.match(worker.stdout(), /Grace period over: putting running tasks back in the queue/);
  // Long lock and stall intervals: only the explicit requeue can bring it back this soon.
  const next = await h.worker({ concurrency: 1, env: { LOCK_MS: "60000", STALLED_MS: "60000" } });
  await h.waitForRecords("the second attempt to end", (r) => of(r, "cut-off").some((x) => x.phase === "end"));
  assert.deepEqual(
    of(h.records(), "cut-off").map(({ attempt, phase }) => ({ attempt, phase })),
    [
      { attempt: 1, phase: "start" },
      { attempt: 2, phase: "start" },
      { attempt: 2, phase: "end" },
    ],
  );
  next.proc.kill("SIGTERM");
  await next.exited;
});
