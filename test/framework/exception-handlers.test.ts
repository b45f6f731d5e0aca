import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { HTTPException, RequestValidationError, Spry, json } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

class DomainError extends Error {}
class NotFoundInDomain extends DomainError {}

forEachTransport("exception handlers", (connect) => {
  function app(logger = recordingLogger()): Spry {
    const app = new Spry({ logger });
    app.exceptionHandler(DomainError, (error) => json({ domain: error.message }, { status: 409 }));
    app.exceptionHandler(RequestValidationError, (error) => json({ message: "Invalid request", count: error.errors.length }, { status: 400 }));
    app.exceptionHandler(404, (_error, ctx) => new Response(`no ${ctx.path}`, { status: 404 }));
    app.exceptionHandler(HTTPException, (error) => ({ problem: error.detail }));
    app.get("/domain", () => {
      throw new NotFoundInDomain("missing thing");
    });
    app.get("/items/{id}", { id: z.int() }, () => "ok");
    app.get("/forbidden", () => {
      throw new HTTPException(403, "Nope");
    });
    app.get("/bug", () => {
      throw new TypeError("bug");
    });
    return app;
  }

  test("by class, nearest ancestor first", async () => {
    const res = await connect(app()).get("/domain");
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), { domain: "missing thing" });
  });

  test("validation errors can be answered app-wide", async () => {
    const res = await connect(app()).get("/items/abc");
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { message: "Invalid request", count: 1 });
  });

  test("by status code, for spry's own 404 too, before the class handlers", async () => {
    const res = await connect(app()).get("/nowhere");
    assert.equal(res.status, 404);
    assert.equal(await res.text(), "no /nowhere");
  });

  test("a plain value is JSON with the error's status", async () => {
    const res = await connect(app()).get("/forbidden");
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { problem: "Nope" });
  });

  test("unhandled errors keep spry's logged 500; a 500 handler takes them", async () => {
    const logger = recordingLogger();
    const res = await connect(app(logger)).get("/bug");
    assert.equal(res.status, 500);
    assert.equal(logger.entries.filter((e) => e.level === "error").length, 1);
    const custom = app();
    custom.exceptionHandler(500, (error: Error) => json({ oops: error.message }, { status: 500 }));
    assert.deepEqual(await (await connect(custom).get("/bug")).json(), { oops: "bug" });
  });

  test("a handler that fails itself falls back to a logged 500", async () => {
    const logger = recordingLogger();
    const broken = new Spry({ logger });
    broken.exceptionHandler(HTTPException, () => {
      throw new Error("handler bug");
    });
    broken.get("/x", () => {
      throw new HTTPException(400, "bad");
    });
    const res = await connect(broken).get("/x");
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
    assert.equal(logger.entries.filter((e) => e.level === "error").length, 1);
  });
});
