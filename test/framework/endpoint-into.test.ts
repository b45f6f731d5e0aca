// A route without dependencies or a body whose inputs the direct reader takes hands a waiting
// handler's response to the error layers' sink itself (endpoint.ts, directlyInto; routing.ts,
// Routing.into; server-errors.ts): every outcome after the handler's await must be answered as
// the endpoint's promise and the layers' `then` answered it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { HTTPException, Spry, SpryResponse, body, form, json, sleep, type Param } from "spry";
import { compileEndpoint } from "../../src/framework/endpoint.ts";
import { DependencyOverrides } from "../../src/framework/dependencies/overrides.ts";
import { parsePathTemplate } from "../../src/toolkit/path-template.ts";
import { depends } from "../../src/framework/dependencies/depends.ts";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

const later = () => sleep(0);

forEachTransport("a waiting handler's response through the sink", (connect) => {
  function app(logger = recordingLogger()): Spry {
    const app = new Spry({ logger });
    app.exceptionHandler(409, () => json({ handled: true }, { status: 409 }));
    app.get("/items/{id}", { id: z.int(), q: z.string().nullable().default(null) }, async ({ id, q }, { signal }) => {
      await sleep(0, { signal });
      return { id, q };
    });
    app.get("/none", async () => {
      await later();
      return { none: true };
    });
    app.get("/http/{status}", { status: z.int() }, async ({ status }) => {
      await later();
      throw new HTTPException(status, "After the await", { "x-why": "because" });
    });
    app.get("/bug", async () => {
      await later();
      throw new TypeError("bug after the await");
    });
    app.get("/unserializable", async () => {
      await later();
      return { big: 1n };
    });
    app.get("/bad-header", async () => {
      await later();
      return new SpryResponse(200, { "x-bad": "a\r\nb" }, "text");
    });
    app.get("/set-header", async (_, { setHeader }) => {
      await later();
      setHeader("x-set", "yes");
      return { ok: true };
    });
    app.get("/checked", async () => {
      await later();
      return { n: "not a number" } as unknown as { n: number };
    }, { response: z.object({ n: z.number() }) });
    app.get("/async-model", async () => {
      await later();
      return { n: 1, extra: true };
    }, { response: z.object({ n: z.number() }).refine(async () => true) });
    app.get("/slow", async () => {
      await sleep(200);
      return { late: true };
    }, { timeout: 20 });
    return app;
  }

  test("a value: the JSON response, with the inputs read", async () => {
    const client = connect(app());
    const res = await client.get("/items/42?q=test");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { id: 42, q: "test" });
    assert.deepEqual(await (await client.get("/none")).json(), { none: true });
  });

  test("inputs the direct reader refuses: the 422 of the general reader", async () => {
    const res = await connect(app()).get("/items/abc");
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { detail: { loc: unknown[] }[] }).detail[0]!.loc.join("."), "path.id");
  });

  test("an HTTPException after the await: its status, detail and headers, or its handler", async () => {
    const client = connect(app());
    const res = await client.get("/http/418");
    assert.equal(res.status, 418);
    assert.equal(res.headers.get("x-why"), "because");
    assert.deepEqual(await res.json(), { detail: "After the await" });
    const handled = await client.get("/http/409");
    assert.equal(handled.status, 409);
    assert.deepEqual(await handled.json(), { handled: true });
  });

  test("an error after the await, or a result that cannot be sent: the logged 500", async () => {
    const logger = recordingLogger();
    const client = connect(app(logger));
    for (const path of ["/bug", "/unserializable", "/bad-header", "/checked"]) {
      const res = await client.get(path);
      assert.equal(res.status, 500, path);
      assert.deepEqual(await res.json(), { detail: "Internal Server Error" }, path);
    }
    assert.equal(logger.entries.filter((entry) => entry.level === "error").length, 4);
  });

  test("setHeader after the await, a model that validates asynchronously, a deadline", async () => {
    const client = connect(app());
    const set = await client.get("/set-header");
    assert.equal(set.headers.get("x-set"), "yes");
    assert.deepEqual(await set.json(), { ok: true });
    assert.deepEqual(await (await client.get("/async-model")).json(), { n: 1 });
    assert.equal((await client.get("/slow")).status, 504);
  });
});

// A route with a JSON body hands its response to the sink from the promise job that read the
// body (inputs/read.ts, ReadInto; body/read-body.ts): every outcome, from the content type to
// the response's check, must be what the endpoint's promise and the layers' `then` gave.
forEachTransport("a body route's response through the sink", (connect) => {
  const Item = z.object({ name: z.string(), price: z.number() });
  function app(logger = recordingLogger()): Spry {
    const app = new Spry({ logger, limits: { bodyLimit: 256 } });
    app.exceptionHandler(409, () => json({ handled: true }, { status: 409 }));
    app.post("/echo/{id}", { id: z.int(), item: Item }, ({ id, item }) => ({ id, item }));
    app.post("/model", { item: Item }, ({ item }) => item, { response: Item });
    app.post("/waits", { item: Item }, async ({ item }) => {
      await later();
      return { waited: item.name };
    });
    app.post("/embedded", { item: Item, n: body(z.int()) }, ({ item, n }) => ({ name: item.name, n }));
    app.post("/http", { item: Item }, async ({ item }) => {
      await later();
      throw new HTTPException(item.price === 409 ? 409 : 418, "From the handler", { "x-why": "because" });
    });
    app.post("/bug", { item: Item }, () => {
      throw new TypeError("bug");
    });
    app.post("/unserializable", { item: Item }, () => ({ big: 1n }));
    app.post("/bad-header", { item: Item }, async () => new SpryResponse(200, { "x-bad": "a\r\nb" }, "text"));
    app.post("/set-header", { item: Item }, (_, { setHeader }) => {
      setHeader("x-set", "yes");
      return { ok: true };
    });
    app.post("/async-model", { item: Item }, ({ item }) => ({ ...item, extra: true }), { response: Item.refine(async () => true) });
    app.post("/slow", { item: Item }, async () => {
      await sleep(200);
      return { late: true };
    }, { timeout: 20 });
    return app;
  }
  const item = { name: "Hammer", price: 9.5 };

  test("a value, a waiting handler's value, an echo checked by its model, an embedded body", async () => {
    const client = connect(app());
    const res = await client.post("/echo/3", { json: item });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { id: 3, item });
    assert.deepEqual(await (await client.post("/model", { json: { ...item, extra: 1 } })).json(), item);
    assert.deepEqual(await (await client.post("/waits", { json: item })).json(), { waited: "Hammer" });
    assert.deepEqual(await (await client.post("/embedded", { json: { item, n: 2 } })).json(), { name: "Hammer", n: 2 });
  });

  test("a refused content type, JSON that does not parse, a body past the limit, inputs that fail", async () => {
    const client = connect(app());
    assert.equal((await client.post("/echo/3", { body: "name=a", headers: { "content-type": "application/x-www-form-urlencoded" } })).status, 415);
    const broken = await client.post("/echo/3", { body: "{\"name\":", headers: { "content-type": "application/json" } });
    assert.equal(broken.status, 422);
    assert.equal(((await broken.json()) as { detail: { type: string }[] }).detail[0]!.type, "json_invalid");
    assert.equal((await client.post("/echo/3", { json: { name: "x".repeat(512), price: 1 } })).status, 413);
    const invalid = await client.post("/echo/x", { json: { name: 5, price: 1 } });
    assert.equal(invalid.status, 422);
    assert.deepEqual(((await invalid.json()) as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc.join(".")), ["path.id", "body.name"]);
  });

  test("an HTTPException, its handler, an error, a result that cannot be sent: as from the endpoint's promise", async () => {
    const logger = recordingLogger();
    const client = connect(app(logger));
    const res = await client.post("/http", { json: item });
    assert.equal(res.status, 418);
    assert.equal(res.headers.get("x-why"), "because");
    assert.deepEqual(await res.json(), { detail: "From the handler" });
    const handled = await client.post("/http", { json: { ...item, price: 409 } });
    assert.equal(handled.status, 409);
    assert.deepEqual(await handled.json(), { handled: true });
    for (const path of ["/bug", "/unserializable", "/bad-header"]) {
      const failed = await client.post(path, { json: item });
      assert.equal(failed.status, 500, path);
      assert.deepEqual(await failed.json(), { detail: "Internal Server Error" }, path);
    }
    assert.equal(logger.entries.filter((entry) => entry.level === "error").length, 3);
  });

  test("setHeader, a model that validates asynchronously, a deadline", async () => {
    const client = connect(app());
    const set = await client.post("/set-header", { json: item });
    assert.equal(set.headers.get("x-set"), "yes");
    assert.deepEqual(await set.json(), { ok: true });
    assert.deepEqual(await (await client.post("/async-model", { json: item })).json(), item);
    assert.equal((await client.post("/slow", { json: item })).status, 504);
  });
});

test("only a route without dependencies whose inputs are read directly, or with a JSON body, gets an into", () => {
  const overrides = new DependencyOverrides();
  const parts = (path: string, inputs: Record<string, z.ZodType | Param<z.ZodType>>, dependencies: ReturnType<typeof depends>[] = []) => ({
    template: parsePathTemplate(path),
    inputs,
    handler: async () => ({}),
    options: {},
    dependencies,
  });
  assert.equal(typeof compileEndpoint(parts("/a/{id}", { id: z.int() }), overrides).into, "function");
  assert.equal(typeof compileEndpoint(parts("/b", {}), overrides).into, "function");
  assert.equal(typeof compileEndpoint(parts("/c", { body: z.object({ a: z.int() }) }), overrides).into, "function");
  assert.equal(compileEndpoint(parts("/e", { name: form(z.string()) }), overrides).into, undefined);
  assert.equal(compileEndpoint(parts("/d", {}, [depends(() => 1)]), overrides).into, undefined);
});
