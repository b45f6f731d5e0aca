// What survives what (rows 31 and 32): an API process restarted while its tasks wait in the
// queue, and Redis itself restarted (kill -9, append-only file) with tasks queued.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { TaskQueueUnavailable } from "../../../src/tasks/redis/index.ts";
import { spry, exitWithin, EXIT_TIMEOUT_MS, waitFor } from "../../server/spry-process.ts";
import { note } from "./fixtures/tasks.ts";
import { API, harness, of, TIMEOUT_MS, type Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await harness();
});
after(() => h.dispose());
// A test that failed while Redis was down must not leave the next one without it.
beforeEach(() => h.redis.start());

async function post(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: "POST" });
  return { status: response.status, body: await response.text() };
}

test("an API process killed and restarted while its tasks wait in the queue loses none", async () => {
  const api = spry(["run", API, "--port", "0"], { env: h.env() });
  const url = await api.url();
  for (const id of ["a1", "a2", "a3"]) assert.deepEqual(await post(`${url}/notes/${id}`), { status: 200, body: JSON.stringify({ queued: id }) });
  api.proc.kill("SIGKILL");
  await api.exited;
  const restarted = spry(["run", API, "--port", "0"], { env: h.env() });
  const url2 = await restarted.url();
  for (const id of ["b1", "b2"]) assert.equal((await post(`${url2}/notes/${id}`)).status, 200);
  assert.equal((await h.queue.counts()).waiting, 5);
  const worker = await h.worker({ concurrency: 1 });
  const records = await h.waitForRecords("all five tasks", (r) => r.filter((x) => x.task === "note").length === 5, () => worker.stdout());
  // One worker, one at a time: the queue's order is the order they were added.
  assert.deepEqual(records.filter((x) => x.task === "note").map((x) => x.id), ["a1", "a2", "a3", "b1", "b2"]);
  restarted.proc.kill("SIGTERM");
  worker.proc.kill("SIGTERM");
  assert.deepEqual(await exitWithin(worker, EXIT_TIMEOUT_MS), { code: 0, signal: null });
});

test("Redis killed and restarted: queued tasks survive, adds during the outage fail clearly, and everything recovers", async () => {
  const api = spry(["run", API, "--port", "0"], { env: h.env() });
  const url = await api.url();
  for (const id of ["r1", "r2", "r3"]) assert.equal((await post(`${url}/notes/${id}`)).status, 200);
  await h.redis.stop("SIGKILL");

  // In this process: a clear, typed error naming the task, within the queue's bounded wait.
  await assert.rejects(h.queue.add(note, { id: "during-outage" }), (error: Error) => {
    assert.ok(error instanceof TaskQueueUnavailable, String(error));
    assert.match(error.message, /^Task "note" was not queued: Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable .*nothing was stored/);
    return true;
  });
  // Through the API: the route's add throws, so the request fails instead of answering as if queued.
  assert.equal((await post(`${url}/notes/during-outage-api`)).status, 500);

  await h.redis.start();
  const counts = await h.queue.counts();
  assert.equal(counts.waiting, 3, "the three queued before the crash are back, the refused ones are not");
  // The same API process, without a restart, queues again once Redis is back.
  await waitFor("the API to queue again", async () => (await post(`${url}/notes/r4`)).status === 200, TIMEOUT_MS);
  const worker = await h.worker({ concurrency: 1 });
  const records = await h.waitForRecords("the four tasks", (r) => of(r, "r4").length >= 1, () => worker.stdout());
  const notes = records.filter((x) => x.task === "note" && x.id.startsWith("r"));
  assert.deepEqual(notes.map((x) => x.id), ["r1", "r2", "r3", "r4"]);
  assert.deepEqual(of(records, "during-outage").concat(of(records, "during-outage-api")), []);
  worker.proc.kill("SIGTERM");
  api.proc.kill("SIGTERM");
  await worker.exited;
});

test("a worker running through a Redis restart carries on with the tasks added afterwards", async () => {
  const worker = await h.worker({ concurrency: 1 });
  await h.queue.add(note, { id: "before-restart" });
  await h.waitForRecords("the first task", (r) => of(r, "before-restart").length === 1);
  await h.redis.stop("SIGKILL");
  await h.redis.start();
  await waitFor("the producer to reconnect", async () => {
    try {
      await h.queue.add(note, { id: "after-restart" });
      return true;
    } catch (error) {
      if (!(error instanceof TaskQueueUnavailable)) throw error;
      return false;
    }
  }, TIMEOUT_MS);
  await h.waitForRecords("the task added after the restart", (r) => of(r, "after-restart").length === 1, () => worker.stdout());
  assert.match(worker.stdout(), /Redis is unreachable/);
  worker.proc.kill("SIGTERM");
  await worker.exited;
});
