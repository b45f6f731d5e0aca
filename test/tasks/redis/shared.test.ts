// Two API processes and two worker processes on one queue: every task runs exactly once, and
// both workers take a share.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { spry } from "../../server/spry-process.ts";
import { API, harness, type Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await harness();
});
after(() => h.dispose());

test("two API processes and two workers share one queue: each task runs once", async () => {
  const apis = [spry(["run", API, "--port", "0"], { env: h.env() }), spry(["run", API, "--port", "0"], { env: h.env() })];
  const urls = await Promise.all(apis.map((api) => api.url()));
  // Both workers are up before the first task, each running one at a time: neither can take them all.
  // BullMQ's own lock times, not the harness's short ones (made for the kill -9 test): on a loaded
  // machine a worker can miss a 2 s lock renewal, and the stalled-job check then rightly runs the
  // task again, which is not what this test is about.
  const locks = { LOCK_MS: "30000", STALLED_MS: "30000" };
  const workers = [await h.worker({ concurrency: 1, env: locks }), await h.worker({ concurrency: 1, env: locks })];
  const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
  await Promise.all(
    ids.map(async (id, i) => {
      const response = await fetch(`${urls[i % 2]}/slow/${id}`, { method: "POST" });
      assert.equal(response.status, 200);
    }),
  );
  const records = await h.waitForRecords("all twenty tasks", (r) => r.filter((x) => x.phase === "end").length >= ids.length);
  const notes = records.filter((x) => x.phase === "end");
  assert.deepEqual(notes.map((x) => x.id).sort(), [...ids].sort(), "each task exactly once");
  assert.equal(records.filter((x) => x.phase === "start").length, ids.length, "none started twice");
  assert.ok(notes.every((x) => x.attempt === 1));
  const pids = new Set(notes.map((x) => x.pid));
  assert.deepEqual([...pids].sort(), workers.map((w) => w.pid).sort(), "both workers ran tasks");
  const counts = await h.queue.counts();
  assert.equal(counts.completed, ids.length);
  for (const process of [...apis, ...workers]) process.proc.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
});
