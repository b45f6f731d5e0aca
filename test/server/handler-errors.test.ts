// docs/reliability.md row 22: a handler that throws gets a bare 500, is logged once with its route,
// and leaves its keep-alive connection usable.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { z } from "zod";
import { Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { head, TestServer } from "../support/server.ts";

const logger = recordingLogger();
const thrown: unknown[] = [];
function fault(message: string): Error {
  const error = new Error(message);
  thrown.push(error);
  return error;
}

const app = new Spry({ logger });
app.get("/ok", () => ({ ok: true }));
app.get("/throws", () => {
  throw fault("secret detail of a sync failure");
});
app.get("/rejects", async () => {
  await new Promise((resolve) => setImmediate(resolve));
  throw fault("secret detail of an async failure");
});
app.get("/items/{item_id}", { item_id: z.int() }, () => {
  throw fault("secret detail of a route with a parameter");
});

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());
beforeEach(() => {
  logger.entries.length = 0;
  thrown.length = 0;
});

describe("row 22: a handler that throws", () => {
  const cases: [path: string, route: string][] = [
    ["/throws", "GET /throws"],
    ["/rejects", "GET /rejects"],
    ["/items/7", "GET /items/{item_id}"],
  ];
  for (const [path, route] of cases) {
    test(`${route}: 500 with a bare body, logged once with the route, the connection still usable`, async () => {
      const connection = await srv.connect();
      connection.write(head(`GET ${path} HTTP/1.1`, "Host: x"));
      const response = await connection.response();
      assert.equal(response.status, 500);
      assert.equal(response.headers["content-type"], "application/json");
      assert.equal(response.body, '{"detail":"Internal Server Error"}');
      assert.notEqual(response.headers.connection, "close");

      // The same socket serves the next request.
      connection.write(head("GET /ok HTTP/1.1", "Host: x"));
      const next = await connection.response();
      assert.equal(next.status, 200);
      assert.equal(next.body, '{"ok":true}');
      assert.equal(connection.closed, false);
      connection.destroy();

      assert.equal(thrown.length, 1);
      const errors = logger.entries.filter((e) => e.level === "error");
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.fields.route, route);
      assert.equal(errors[0]!.fields.err, thrown[0]);
    });
  }

  test("no part of the error reaches the client, whichever client asks", async () => {
    const res = await srv.get("/throws", { accept: "text/html" });
    assert.equal(res.status, 500);
    assert.equal(res.body, '{"detail":"Internal Server Error"}');
    assert.doesNotMatch(res.body, /secret|Error:|at /);
  });
});
