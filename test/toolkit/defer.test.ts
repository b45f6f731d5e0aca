import assert from "node:assert/strict";
import { test } from "node:test";
import { Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("deferred tasks", (connect) => {
  test("run after the handler's response, in order; a failing one is logged and the rest still run", async () => {
    const logger = recordingLogger();
    const app = new Spry({ logger });
    const events: string[] = [];
    app.get("/d", (_, ctx) => {
      ctx.defer(() => void events.push("first"));
      ctx.defer(() => {
        throw new Error("cleanup failed");
      });
      ctx.defer(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        events.push("third");
      });
      events.push("handler");
      return "ok";
    });
    const res = await connect(app).get("/d");
    events.push("response");
    assert.equal(await res.json(), "ok");
    for (let i = 0; i < 50 && events.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(events.filter((e) => e !== "response"), ["handler", "first", "third"]);
    const errors = logger.entries.filter((e) => e.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.fields.route, "GET /d");
  });

  test("run when the handler throws too", async () => {
    const app = new Spry({ logger: false });
    let ran = false;
    app.get("/t", (_, ctx) => {
      ctx.defer(() => (ran = true));
      throw new Error("boom");
    });
    assert.equal((await connect(app).get("/t")).status, 500);
    for (let i = 0; i < 50 && !ran; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(ran, true);
  });
});
