import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException, Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("responses", (connect) => {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  app.get("/object", () => ({ a: 1, nested: { b: [true, null] } }));
  app.get("/async", async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return { late: true };
  });
  app.get("/string", () => "plain");
  app.get("/undefined", () => undefined);
  app.post("/created", () => ({ id: 1 }), { status: 201 });
  app.delete("/gone", () => ({ ignored: true }), { status: 204 });
  app.get("/response", () => new Response("<h1>hi</h1>", { status: 203, headers: { "content-type": "text/html", "x-custom": "1" } }));
  app.get("/cookies", () => {
    const headers = new Headers();
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    return new Response(null, { status: 200, headers });
  });
  app.get("/stream", () => new Response(new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("one,"));
      controller.enqueue(new TextEncoder().encode("two"));
      controller.close();
    },
  })));
  app.get("/http-exception", () => {
    throw new HTTPException(404, "Item not found", { "x-error": "missing" });
  });
  app.get("/http-exception-default", () => {
    throw new HTTPException(403);
  });
  app.get("/http-exception-object", async () => {
    throw new HTTPException(409, { reason: "conflict", ids: [1] });
  });
  app.get("/throws", () => {
    throw new Error("secret stack detail");
  });
  app.get("/rejects", async () => {
    throw new TypeError("async failure");
  });
  app.get("/bigint", () => ({ n: 1n }));
  const client = connect(app);

  test("a returned value is JSON with status 200 and a content-length", async () => {
    const res = await client.get("/object");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const text = await res.text();
    assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
    assert.deepEqual(JSON.parse(text), { a: 1, nested: { b: [true, null] } });
  });

  test("async handlers are awaited", async () => {
    assert.deepEqual(await (await client.get("/async")).json(), { late: true });
  });

  test("a string is JSON-encoded, undefined is null, as FastAPI does", async () => {
    assert.equal(await (await client.get("/string")).text(), '"plain"');
    assert.equal(await (await client.get("/undefined")).text(), "null");
  });

  test("a route's status code is used for its successful responses", async () => {
    const res = await client.post("/created");
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { id: 1 });
  });

  // The content type stays, as FastAPI 0.142 sends it on a 204 (checked live): no body, no length.
  test("204 sends no body and no content-length; its content-type is FastAPI's", async () => {
    const res = await client.delete("/gone");
    assert.equal(res.status, 204);
    assert.equal(await res.text(), "");
    assert.equal(res.headers.get("content-length"), null);
    assert.equal(res.headers.get("content-type"), "application/json");
  });

  test("a returned Response is sent as it is", async () => {
    const res = await client.get("/response");
    assert.equal(res.status, 203);
    assert.equal(res.headers.get("content-type"), "text/html");
    assert.equal(res.headers.get("x-custom"), "1");
    assert.equal(await res.text(), "<h1>hi</h1>");
  });

  test("several set-cookie headers stay separate", async () => {
    const res = await client.get("/cookies");
    assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
  });

  test("a streamed Response body arrives whole", async () => {
    assert.equal(await (await client.get("/stream")).text(), "one,two");
  });

  test("HTTPException: its status, {detail}, and its headers", async () => {
    const res = await client.get("/http-exception");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("x-error"), "missing");
    assert.deepEqual(await res.json(), { detail: "Item not found" });
  });

  test("HTTPException without detail uses the status phrase; detail can be any JSON", async () => {
    assert.deepEqual(await (await client.get("/http-exception-default")).json(), { detail: "Forbidden" });
    const res = await client.get("/http-exception-object");
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), { detail: { reason: "conflict", ids: [1] } });
  });

  test("any other throw: 500 with no stack in the body, logged once with the route", async () => {
    for (const path of ["/throws", "/rejects"]) {
      logger.entries.length = 0;
      const res = await client.get(path);
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.equal(text, '{"detail":"Internal Server Error"}');
      const errors = logger.entries.filter((e) => e.level === "error");
      assert.equal(errors.length, 1, path);
      assert.equal(errors[0]!.fields.route, `GET ${path}`);
      assert.ok(errors[0]!.fields.err instanceof Error);
    }
  });

  test("a value JSON cannot encode is a logged 500", async () => {
    logger.entries.length = 0;
    const res = await client.get("/bigint");
    assert.equal(res.status, 500);
    assert.equal(logger.entries.filter((e) => e.level === "error").length, 1);
  });

  test("the app keeps serving after errors", async () => {
    await client.get("/throws");
    assert.equal((await client.get("/object")).status, 200);
  });
});
