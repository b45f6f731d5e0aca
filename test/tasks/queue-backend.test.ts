// With a queue backend, `add` stores a declared task before the response (its failure reaches
// the handler) and refuses plain functions; shutdown closes the backend. A fake backend stands
// in for Redis, whose own tests are in test/tasks/redis/.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { HTTPException, Spry, TaskArgsInvalid, task, type Task, type TaskBackend } from "spry";
import { TestClient } from "spry/testing";
import { recordingLogger } from "../support/logger.ts";

let ranInProcess = 0;
const sendWelcome = task(import.meta.url, { args: z.object({ email: z.email() }) }, function sendWelcome() {
  ranInProcess++;
});

class FakeQueue implements TaskBackend {
  readonly kind = "fake";
  readonly stored: { task: string; args: unknown; route: string }[] = [];
  down = false;
  closed = false;

  async enqueue(task: Task<any, any>, args: unknown, origin: { readonly route: string }): Promise<void> {
    await Promise.resolve();
    if (this.down) throw new Error(`Task "${task.name}" was not queued: the fake queue is down`);
    this.stored.push({ task: task.name, args, route: origin.route });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function queuedApp() {
  const queue = new FakeQueue();
  const logger = recordingLogger();
  const app = new Spry({ logger, tasks: queue });
  app.post("/users", { email: z.string() }, async ({ email }, { tasks }) => {
    await tasks.add(sendWelcome, { email });
    // Stored before the handler goes on, so before the response.
    return { stored: queue.stored.length };
  });
  app.post("/then-fails", async (_, { tasks }) => {
    await tasks.add(sendWelcome, { email: "kept@example.com" });
    throw new HTTPException(409, "Conflict");
  });
  app.post("/closure", (_, { tasks }) => {
    void tasks.add(function cleanUp() {});
    return "unreachable";
  });
  app.post("/unawaited", (_, { tasks }) => {
    void tasks.add(sendWelcome, { email: "a@example.com" });
    return "answered";
  });
  return { app, queue, logger };
}

test("a declared task is stored at add, before the response, with its argument as given and its route; it does not run here", async () => {
  const { app, queue } = queuedApp();
  const client = await TestClient.open(app);
  const res = await client.post("/users", { query: { email: "ada@example.com" } });
  assert.deepEqual(await res.json(), { stored: 1 });
  assert.deepEqual(queue.stored, [{ task: "sendWelcome", args: { email: "ada@example.com" }, route: "POST /users" }]);
  // Already durable: a request that fails afterwards does not take it back.
  assert.equal((await client.post("/then-fails")).status, 409);
  assert.equal(queue.stored.length, 2);
  await client.close();
  assert.equal(ranInProcess, 0);
  assert.equal(queue.closed, true);
});

test("a bad argument is refused before it reaches the queue", async () => {
  const { app, queue, logger } = queuedApp();
  assert.equal((await new TestClient(app).post("/users", { query: { email: "nope" } })).status, 500);
  assert.deepEqual(queue.stored, []);
  assert.ok(logger.entries.find((e) => e.level === "error")?.fields.err instanceof TaskArgsInvalid);
});

test("a plain function is refused with an error that says why and what to do", async () => {
  const { app, logger } = queuedApp();
  assert.equal((await new TestClient(app).post("/closure")).status, 500);
  const err = logger.entries.find((e) => e.level === "error")?.fields.err as Error;
  assert.match(err.message, /tasks\.add\(cleanUp\): a plain function can only run in this process.*fake queue.*task\(import\.meta\.url, fn\)/);
});

test("when the queue refuses a task, the awaiting handler gets the error; an unawaited one is logged, not fatal", async () => {
  const { app, queue, logger } = queuedApp();
  queue.down = true;
  const client = new TestClient(app);
  assert.equal((await client.post("/users", { query: { email: "ada@example.com" } })).status, 500);
  const handlerError = logger.entries.find((e) => e.message === "Unhandled error while handling a request");
  assert.match((handlerError?.fields.err as Error).message, /Task "sendWelcome" was not queued/);
  logger.entries.length = 0;
  assert.equal((await client.post("/unawaited")).status, 200);
  await new Promise((resolve) => setImmediate(resolve));
  const notAdded = logger.entries.filter((e) => e.message === "A background task could not be added");
  assert.deepEqual(notAdded.map((e) => [e.fields.route, e.fields.task]), [["POST /unawaited", "sendWelcome"]]);
});
