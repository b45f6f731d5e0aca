import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException, Spry, type Middleware } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("middleware", (connect) => {
  test("runs outermost first on the way in and last on the way out", async () => {
    const order: string[] = [];
    const layer = (name: string): Middleware => async (_request, next) => {
      order.push(`${name} in`);
      const res = await next();
      order.push(`${name} out`);
      res.headers["x-layers"] = `${res.headers["x-layers"] ?? ""}${name}`;
      return res;
    };
    const app = new Spry({ logger: false }).use(layer("a")).use(layer("b"));
    app.get("/x", () => (order.push("handler"), "ok"));
    const res = await connect(app).get("/x");
    assert.equal(res.headers.get("x-layers"), "ba");
    assert.deepEqual(order, ["a in", "b in", "handler", "b out", "a out"]);
  });

  test("sees 404s, 405s, validation errors and handler errors, whose responses it can change", async () => {
    const app = new Spry({ logger: false });
    app.use(async (_request, next) => {
      const res = await next();
      res.headers["x-request-id"] = "r-1";
      return res;
    });
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.get("/ok", () => "ok");
    const client = connect(app);
    for (const [path, status] of [["/missing", 404], ["/boom", 500], ["/ok", 200]] as const) {
      const res = await client.get(path);
      assert.equal(res.status, status);
      assert.equal(res.headers.get("x-request-id"), "r-1", path);
    }
    assert.equal((await client.post("/ok")).headers.get("x-request-id"), "r-1");
  });

  test("can answer by itself without calling next", async () => {
    let reached = false;
    const app = new Spry({ logger: false }).use((ctx, next) => {
      if (ctx.header("x-block") !== undefined) return new Response("blocked", { status: 403 });
      return next();
    });
    app.get("/x", () => ((reached = true), "ok"));
    const client = connect(app);
    const blocked = await client.get("/x", { headers: { "x-block": "1" } });
    assert.equal(blocked.status, 403);
    assert.equal(await blocked.text(), "blocked");
    assert.equal(reached, false);
    assert.equal((await client.get("/x")).status, 200);
  });

  test("an error thrown by middleware is answered like a handler's", async () => {
    const logger = recordingLogger();
    const app = new Spry({ logger });
    app.use(() => {
      throw new HTTPException(429, "Slow down", { "retry-after": "1" });
    });
    app.get("/x", () => "ok");
    const res = await connect(app).get("/x");
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.deepEqual(await res.json(), { detail: "Slow down" });
    const failing = new Spry({ logger }).use(async () => {
      throw new Error("middleware bug");
    });
    failing.get("/x", () => "ok");
    assert.equal((await connect(failing).get("/x")).status, 500);
    assert.equal(logger.entries.filter((e) => e.level === "error").length, 1);
  });

  test("it can replace the body, status and headers of the response next() gave, streamed ones too", async () => {
    const app = new Spry({ logger: false }).use(async (_request, next) => {
      const res = await next();
      if (res.status === 200) {
        if (res.body instanceof ReadableStream) await res.body.cancel();
        res.status = 203;
        res.body = `wrapped:${typeof res.body === "string" ? res.body : "stream"}`;
        res.headers["content-type"] = "text/plain";
      }
      return res;
    });
    app.get("/json", () => ({ a: 1 }));
    app.get("/stream", () => new Response(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode("s")), c.close()) })));
    const client = connect(app);
    const res = await client.get("/json");
    assert.equal(res.status, 203);
    assert.equal(await res.text(), 'wrapped:{"a":1}');
    assert.equal(res.headers.get("content-length"), String('wrapped:{"a":1}'.length));
    assert.equal(await (await client.get("/stream")).text(), "wrapped:stream");
  });

  test("next() called twice is an error", async () => {
    const logger = recordingLogger();
    let second: unknown;
    const app = new Spry({ logger }).use(async (_request, next) => {
      await next();
      try {
        return await next();
      } catch (error) {
        second = error;
        throw error;
      }
    });
    let runs = 0;
    app.get("/x", () => (runs++, "ok"));
    const res = await connect(app).get("/x");
    // Nothing is written before the last layer returns, so the error is what answers: a 500.
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
    for (let i = 0; i < 100 && logger.entries.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(second instanceof Error);
    assert.equal(second.message, "next() called more than once by one middleware");
    assert.equal(runs, 1, "the handler ran once");
    assert.deepEqual(logger.entries.map((e) => [e.level, e.message, (e.fields.err as Error).message]), [
      ["error", "Unhandled error while handling a request", "next() called more than once by one middleware"],
    ]);
  });
});
