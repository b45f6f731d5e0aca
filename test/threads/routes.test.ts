// Routes and dependencies declared with a threaded function run in the pool, with their
// validated inputs only; meanwhile the event loop keeps serving.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { threadId } from "node:worker_threads";
import { z } from "zod";
import { Spry, depends, file, threadPool } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { multipartBody, BOUNDARY } from "../support/multipart.ts";
import { forEachTransport } from "../support/transports.ts";
import { add, describeUpload, hashPassword, spin } from "./fixtures/functions.ts";
import { findItem, hashRoute, itemInputs, whoAmI } from "./fixtures/routes.ts";

after(() => threadPool.close());

forEachTransport("threaded routes and dependencies", (connect) => {
  const logger = recordingLogger();
  const app = new Spry({ logger, threads: { size: 2 } });
  after(() => app.shutdown());
  app.post("/hash", { password: z.string().min(1) }, hashRoute); // a query input, for brevity
  app.get("/items/{id}", itemInputs, findItem);
  const digest = depends({ password: z.string() }, hashRoute);
  app.get("/digest", { digest, where: depends(whoAmI) }, ({ digest, where }) => ({ hash: digest.hash, where, main: threadId }));
  app.post("/upload", { doc: file() }, describeUpload);
  const client = connect(app);

  test("a threaded handler runs in the pool with its validated inputs", async () => {
    const res = await client.post("/hash", { query: { password: "secret" } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.hash, await hashPassword("secret"));
    assert.notEqual(body.threadId, threadId);
  });

  test("its inputs are validated first: a bad one is a 422 and never reaches the pool", async () => {
    const before = app.threads.stats().completed;
    const res = await client.post("/hash", { query: { password: "" } });
    assert.equal(res.status, 422);
    assert.equal(app.threads.stats().completed, before);
  });

  test("an HTTPException raised in the pool answers with its status, detail and headers", async () => {
    const res = await client.get("/items/5");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("x-item"), "5");
    assert.deepEqual(await res.json(), { detail: "No item 5" });
  });

  test("threaded dependencies run in the pool and their results reach the handler", async () => {
    const res = await client.get("/digest", { query: { password: "secret" } });
    const body = await res.json();
    assert.equal(body.hash, await hashPassword("secret"));
    assert.notEqual(body.where, body.main);
  });

  test("an UploadFile cannot cross to a thread: a 500, logged with the function's name", async () => {
    logger.entries.length = 0;
    const res = await client.post("/upload", {
      body: multipartBody([{ name: "doc", value: "hello", filename: "a.txt" }]),
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    });
    assert.equal(res.status, 500);
    const errors = logger.entries.filter((e) => e.level === "error");
    assert.equal(errors.length, 1);
    assert.match(String((errors[0]!.fields.err as Error).message), /^describeUpload \(file:.*\) runs in a worker thread, .* argument 1\.doc is a SpooledUpload/);
  });
});

forEachTransport("the article's point: blocking work in the pool leaves the loop free", (connect) => {
  // Two CPU-bound requests occupy both threads, spinning until released; /fast_task/ is sent
  // after them and must finish first. Run on the loop, the same spin would never let it.
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const app = new Spry({ logger: false, threads: { size: 2 } });
  after(() => app.shutdown());
  app.get("/spin", { gate: depends(() => gate) }, spin);
  app.get("/fast_task/", () => ({ message: "This is fast!" }));
  const client = connect(app);

  test("/fast_task/ completes while two CPU-bound requests run in the pool", async () => {
    Atomics.store(gate, 0, 0);
    Atomics.store(gate, 1, 0);
    const order: string[] = [];
    const slow = [1, 2].map(async (n) => {
      const res = await client.get("/spin");
      assert.deepEqual(await res.json(), { spun: true });
      order.push(`spin ${n}`);
    });
    for (let i = 0; i < 500 && Atomics.load(gate, 1) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(Atomics.load(gate, 1), 2, "both are spinning on their threads");
    const fast = await client.get("/fast_task/");
    order.push("fast");
    assert.deepEqual(await fast.json(), { message: "This is fast!" });
    Atomics.store(gate, 0, 1);
    await Promise.all(slow);
    assert.equal(order[0], "fast");
    assert.deepEqual(order.slice(1).sort(), ["spin 1", "spin 2"]);
  });
});

test("add() still works after the apps above: the pool serves any caller", async () => {
  assert.equal((await add(1, 2)).sum, 3);
});
