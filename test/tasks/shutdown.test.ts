// Shutdown waits for pending background tasks before the lifespan's teardown, up to a bound;
// what it cuts off is logged by route and name, and a cut-off task's signal aborts.
// Blocking tasks run in the worker-thread pool.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Spry, TaskCutOff, sleep, task } from "spry";
import { TestClient } from "spry/testing";
import { recordingLogger } from "../support/logger.ts";
import { failInThread, recordThread } from "./fixtures/tasks.ts";

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

let hangStarted: () => void = () => {};
let hangReason: unknown;

/** Waits a minute, or until its run is cut off. */
const hang = task(import.meta.url, async function hang(_: void, run) {
  hangStarted();
  try {
    await sleep(60_000, { signal: run.signal });
  } catch (error) {
    hangReason = error;
  }
});

test("shutdown waits for a pending task before the lifespan's teardown", async () => {
  const events: string[] = [];
  const app = new Spry({
    logger: false,
    *lifespan() {
      yield {};
      events.push("teardown");
    },
  });
  app.get("/", (_, { tasks }) => {
    tasks.add(async function slowish() {
      await ticks(20);
      events.push("task finished");
    });
    return "ok";
  });
  const client = await TestClient.open(app);
  assert.equal((await client.get("/")).status, 200);
  await client.close();
  assert.deepEqual(events, ["task finished", "teardown"]);
});

for (const [bound, options] of [
  ["its timeout", () => ({ timeout: 10 })],
  ["its signal", () => ({ signal: AbortSignal.abort() })],
] as const) {
  test(`past ${bound}, shutdown cuts tasks off: each logged by route and name, the running one's signal aborted`, async () => {
    const logger = recordingLogger();
    const app = new Spry({ logger });
    const ran: string[] = [];
    const started = new Promise<void>((resolve) => (hangStarted = resolve));
    hangReason = undefined;
    app.get("/reports/{id}", (_, { tasks }) => {
      tasks.add(hang);
      tasks.add(function neverStarts() {
        ran.push("neverStarts");
      });
      return "ok";
    });
    assert.equal((await new TestClient(app).get("/reports/1")).status, 200);
    await started;
    await app.shutdown(options());
    await ticks(5);
    assert.ok(hangReason instanceof TaskCutOff);
    assert.deepEqual(ran, []);
    const cut = logger.entries.filter((e) => e.message?.startsWith("Shutdown cut off"));
    assert.deepEqual(cut.map((e) => [e.level, e.fields.route, e.fields.task, e.fields.state]), [
      ["error", "GET /reports/{id}", "hang", "running"],
      ["error", "GET /reports/{id}", "neverStarts", "not started"],
    ]);
    assert.equal(app.config.tasks!.pending, 0);
  });
}

test("blocking tasks run in the worker-thread pool; one that fails there is logged with its route and name", async () => {
  const dir = mkdtempSync(join(tmpdir(), "spry-tasks-"));
  try {
    const file = join(dir, "threads.jsonl");
    const logger = recordingLogger();
    const app = new Spry({ logger });
    app.get("/thumbnails", (_, { tasks }) => {
      tasks.add(failInThread);
      tasks.add(recordThread, { file });
      return "ok";
    });
    const client = await TestClient.open(app);
    assert.equal((await client.get("/thumbnails")).status, 200);
    await client.close();
    const [record] = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    assert.notEqual(record.threadId, 0);
    assert.equal(record.attempt, 1);
    const failed = logger.entries.filter((e) => e.message === "A background task failed");
    assert.deepEqual(failed.map((e) => [e.fields.route, e.fields.task, (e.fields.err as Error).message]), [
      ["GET /thumbnails", "failInThread", "failed in a worker thread"],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
