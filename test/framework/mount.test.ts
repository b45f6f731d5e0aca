import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry, body, type Context } from "spry";
import { forEachTransport } from "../support/transports.ts";
import { TestClient } from "spry/testing";

forEachTransport("mount", (connect) => {
  const v2 = new Spry({ logger: false, title: "v2" });
  v2.get("/items/{id}", { id: z.int() }, ({ id }, ctx) => ({ id, rootPath: ctx.rootPath, path: ctx.path, q: ctx.query.q }));
  v2.post("/echo", { item: body(z.object({ name: z.string() })) }, ({ item }) => item);
  v2.get("/", () => ({ home: "v2" }));
  const inner = new Spry({ logger: false });
  inner.get("/where", (_, ctx) => ({ rootPath: ctx.rootPath }));
  v2.mount("/inner", inner);

  let seen: { url: string; method: string; body: string } | undefined;
  const app = new Spry({ logger: false, title: "main" });
  app.get("/items/{id}", { id: z.int() }, ({ id }) => ({ top: id }));
  app.mount("/v2", v2);
  app.mount("/raw", async (request) => {
    seen = { url: request.url, method: request.method, body: await request.text() };
    return new Response("from a fetch handler", { status: 201, headers: { "x-raw": "1" } });
  });
  app.mount("/object", { fetch: () => Response.json({ object: true }) });
  const client = connect(app);

  test("a mounted app gets the rest of the path, the query and the root path", async () => {
    const res = await client.get("/v2/items/7?q=x");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 7, rootPath: "/v2", path: "/items/7", q: "x" });
    assert.deepEqual(await (await client.get("/items/3")).json(), { top: 3 });
    assert.deepEqual(await (await client.get("/v2")).json(), { home: "v2" });
    assert.deepEqual(await (await client.get("/v2/")).json(), { home: "v2" });
  });

  test("its validation errors, 404s and bodies are its own", async () => {
    const bad = await client.get("/v2/items/abc");
    assert.equal(bad.status, 422);
    assert.deepEqual((await bad.json()).detail[0].loc, ["path", "id"]);
    assert.equal((await client.get("/v2/nothing")).status, 404);
    const echo = await client.post("/v2/echo", { json: { name: "ann" } });
    assert.deepEqual(await echo.json(), { name: "ann" });
  });

  test("mounts nest, and root paths add up", async () => {
    assert.deepEqual(await (await client.get("/v2/inner/where")).json(), { rootPath: "/v2/inner" });
  });

  test("any Fetch handler: a function or an object with fetch, every method", async () => {
    const res = await client.put("/raw/some/where?a=1", { body: "payload" });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("x-raw"), "1");
    assert.equal(await res.text(), "from a fetch handler");
    assert.equal(new URL(seen!.url).pathname, "/some/where");
    assert.equal(new URL(seen!.url).search, "?a=1");
    assert.equal(seen!.method, "PUT");
    assert.equal(seen!.body, "payload");
    assert.deepEqual(await (await client.get("/object/x")).json(), { object: true });
  });

  test("the mounted app's OpenAPI stays its own, with the root path as its server", async () => {
    const top = await (await client.get("/openapi.json")).json();
    assert.deepEqual(Object.keys(top.paths), ["/items/{id}"]);
    const mounted = await (await client.get("/v2/openapi.json")).json();
    assert.equal(mounted.info.title, "v2");
    assert.deepEqual(Object.keys(mounted.paths).sort(), ["/", "/echo", "/items/{id}"]);
    assert.deepEqual(mounted.servers, [{ url: "/v2" }]);
    const docs = await (await client.get("/v2/docs")).text();
    assert.match(docs, /url: "\/v2\/openapi.json"/);
    assert.match(docs, /src="\/v2\/docs\/swagger-ui-bundle.js"/);
    assert.equal((await client.get("/v2/docs/swagger-ui.css")).status, 200);
  });
});

test("a mounted app's lifespan runs with the parent's", async () => {
  const events: string[] = [];
  const child = new Spry({ logger: false });
  child.onStartup(() => events.push("child up"));
  child.onShutdown(() => events.push("child down"));
  const app = new Spry({ logger: false });
  app.mount("/child", child);
  const client = await TestClient.open(app);
  assert.deepEqual(events, ["child up"]);
  await client.close();
  assert.deepEqual(events, ["child up", "child down"]);
});

test("mount paths are checked when declared", () => {
  const app = new Spry({ logger: false });
  assert.throws(() => app.mount("static", () => new Response()), /must start with "\/"/);
  assert.throws(() => app.mount("/static/", () => new Response()), /not end with "\/"/);
  assert.throws(() => app.mount("/a/{b}", () => new Response()), /no parameters/);
  app.mount("/once", () => new Response());
  assert.throws(() => app.mount("/once", () => new Response()), /already registered/);
});

test("the client leaving aborts the mounted app's signal", async () => {
  let aborted: unknown;
  const child = new Spry({ logger: false });
  child.get("/wait", async (_, ctx: Context) => {
    await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
    aborted = ctx.signal.reason;
    return {};
  });
  const app = new Spry({ logger: false });
  app.mount("/child", child);
  const controller = new AbortController();
  const pending = app.fetch(new Request("http://x/child/wait", { signal: controller.signal }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  controller.abort();
  await pending;
  assert.equal((aborted as Error | undefined)?.name, "ClientDisconnected");
});
