// Background tasks in process: after the response, in order, each awaited; failures logged
// and survived; dropped with a request that fails; declared tasks' arguments checked at add.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { HTTPException, Spry, TaskArgsInvalid, TaskArgsNotSerializable, depends, task } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

let log: string[] = [];

const sendWelcome = task(import.meta.url, { args: z.object({ email: z.email() }) }, async function sendWelcome({ email }, run) {
  await Promise.resolve();
  log.push(`welcome ${email} (attempt ${run.attempt}, aborted ${run.signal.aborted})`);
});

const explode = task(import.meta.url, async function explode() {
  throw new Error("declared task failed");
});

const audit = task(import.meta.url, function audit(args: { at: unknown }) {
  log.push(`audit ${String(args.at)}`);
});

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

forEachTransport("background tasks in process", (connect) => {
  test("run after the response was sent, in order, each awaited", async () => {
    log = [];
    const app = new Spry({ logger: false });
    const first = gate();
    let sentWhenFirstStarted: boolean | undefined;
    app.get("/users", { email: z.string() }, async ({ email }, ctx) => {
      await ctx.tasks.add(async function waitsForTheTest() {
        sentWhenFirstStarted = ctx.scope.responded;
        log.push("first started");
        await first.promise;
        log.push("first finished");
      });
      await ctx.tasks.add((n: number, label: string) => void log.push(`second ${n} ${label}`), 2, "plain");
      await ctx.tasks.add(sendWelcome, { email });
      log.push("handler returned");
      return { email };
    });
    const res = await connect(app).get("/users", { query: { email: "ada@example.com" } });
    // The whole body arrived while the first task was still waiting: the response waited for nothing.
    assert.deepEqual(await res.json(), { email: "ada@example.com" });
    log.push("client read the response");
    assert.equal(app.config.tasks!.pending, 3);
    first.open();
    await app.shutdown();
    assert.equal(sentWhenFirstStarted, true);
    assert.ok(log.indexOf("client read the response") < log.indexOf("first finished"));
    assert.deepEqual(
      log.filter((e) => e !== "client read the response"),
      ["handler returned", "first started", "first finished", "second 2 plain", "welcome ada@example.com (attempt 1, aborted false)"],
    );
    assert.equal(app.config.tasks!.pending, 0);
  });

  test("a task that throws or rejects is logged with its route and name; the next ones still run; the app keeps serving", async () => {
    log = [];
    const logger = recordingLogger();
    const app = new Spry({ logger });
    app.get("/orders/{id}", (_, { tasks }) => {
      tasks.add(function throwsAtOnce() {
        throw new Error("sync failure");
      });
      tasks.add(async function rejectsLater() {
        await Promise.resolve();
        throw new Error("async failure");
      });
      tasks.add(explode);
      tasks.add(function runsAnyway() {
        log.push("ran anyway");
      });
      return "ok";
    });
    const client = connect(app);
    assert.equal((await client.get("/orders/1")).status, 200);
    await app.shutdown();
    const failures = logger.entries.filter((e) => e.level === "error");
    assert.deepEqual(
      failures.map((e) => [e.fields.route, e.fields.task, (e.fields.err as Error).message]),
      [
        ["GET /orders/{id}", "throwsAtOnce", "sync failure"],
        ["GET /orders/{id}", "rejectsLater", "async failure"],
        ["GET /orders/{id}", "explode", "declared task failed"],
      ],
    );
    assert.deepEqual(log, ["ran anyway"]);
    assert.equal((await client.get("/orders/2")).status, 200);
    await app.shutdown();
  });

  test("are dropped when the request fails: the handler or a dependency throws, an HTTPException included", async () => {
    log = [];
    const logger = recordingLogger();
    const app = new Spry({ logger });
    const note = (what: string) => () => void log.push(what);
    const addsThenFails = depends((_, ctx) => {
      ctx.tasks.add(note("from the dependency"));
      throw new HTTPException(403, "Forbidden");
    });
    app.get("/crash", (_, { tasks }) => {
      tasks.add(note("crash"));
      throw new Error("handler failed");
    });
    app.get("/missing", async (_, { tasks }) => {
      await tasks.add(sendWelcome, { email: "lost@example.com" });
      throw new HTTPException(404, "Not here");
    });
    app.get("/guarded", { user: addsThenFails }, () => "unreachable");
    const client = connect(app);
    assert.equal((await client.get("/crash")).status, 500);
    assert.equal((await client.get("/missing")).status, 404);
    assert.equal((await client.get("/guarded")).status, 403);
    await app.shutdown();
    assert.deepEqual(log, []);
    const dropped = logger.entries.filter((e) => e.message?.startsWith("Background tasks dropped"));
    assert.deepEqual(dropped.map((e) => [e.fields.route, e.fields.tasks]), [
      ["GET /crash", ["anonymous function"]],
      ["GET /missing", ["sendWelcome"]],
      ["GET /guarded", ["anonymous function"]],
    ]);
  });

  test("a handler answered 504 at its deadline that goes on and adds a task: the task is dropped", async () => {
    log = [];
    const app = new Spry({ logger: false, timeout: 10 });
    const release = gate();
    let returned!: () => void;
    const handlerReturned = new Promise<void>((resolve) => (returned = resolve));
    app.get("/late", async (_, { tasks }) => {
      await release.promise;
      tasks.add(() => void log.push("late task"));
      returned();
      return "too late";
    });
    assert.equal((await connect(app).get("/late")).status, 504);
    release.open();
    await handlerReturned;
    await app.shutdown();
    assert.deepEqual(log, []);
  });

  test("a declared task's argument is checked at add: a bad one is a logged 500 naming the task, even without await", async () => {
    log = [];
    const logger = recordingLogger();
    const app = new Spry({ logger });
    app.get("/bad-email", (_, { tasks }) => {
      void tasks.add(sendWelcome, { email: "not an email" });
      return "unreachable";
    });
    app.get("/date", (_, { tasks }) => {
      void tasks.add(audit, { at: new Date(0) });
      return "unreachable";
    });
    app.get("/caught", (_, { tasks }) => {
      try {
        void tasks.add(sendWelcome, { email: 42 as never });
        return "added";
      } catch (error) {
        return { refused: (error as Error).name };
      }
    });
    const client = connect(app);
    assert.equal((await client.get("/bad-email")).status, 500);
    assert.equal((await client.get("/date")).status, 500);
    assert.deepEqual(await (await client.get("/caught")).json(), { refused: "TaskArgsInvalid" });
    await app.shutdown();
    assert.deepEqual(log, []);
    const [invalid, notJson] = logger.entries.filter((e) => e.level === "error").map((e) => e.fields.err as Error);
    assert.ok(invalid instanceof TaskArgsInvalid);
    assert.match(invalid.message, /Task "sendWelcome".*email/);
    assert.ok(notJson instanceof TaskArgsNotSerializable);
    assert.match(notJson.message, /Task "audit".*args\.at is a Date/);
  });

  test("a plain function may take anything: it never leaves the process", async () => {
    log = [];
    const app = new Spry({ logger: false });
    app.get("/plain", (_, { tasks }) => {
      const at = new Date(0);
      tasks.add((when: Date, counts: Map<string, number>) => void log.push(`${when.toISOString()} ${counts.get("a")}`), at, new Map([["a", 1]]));
      return "ok";
    });
    await connect(app).get("/plain");
    await app.shutdown();
    assert.deepEqual(log, ["1970-01-01T00:00:00.000Z 1"]);
  });
});

