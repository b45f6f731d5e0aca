import assert from "node:assert/strict";
import { test } from "node:test";
import { Router, Spry } from "spry";
import { forEachTransport } from "../support/transports.ts";

function app(): Spry {
  const app = new Spry({ logger: false });
  app.get("/items/", () => ["a", "b"]);
  app.get("/items/{item_id}", ({ item_id }) => ({ item_id }));
  app.post("/items/{item_id}", ({ item_id }) => ({ created: item_id }));
  app.put("/items/{item_id}", () => "put");
  app.patch("/items/{item_id}", () => "patch");
  app.delete("/items/{item_id}", () => "delete");
  app.options("/items/{item_id}", () => "options");
  app.get("/files/{file_path:path}", ({ file_path }) => ({ file_path }));
  app.get("/users/{user_id}/posts/{post_id}", (inputs) => inputs);
  app.get("/no-slash", () => "no-slash");
  app.head("/only-head", () => null);
  app.delete("/write-only", () => "d");
  app.put("/write-only", () => "u");
  app.post("/write-only", () => "p");
  return app;
}

forEachTransport("routing", (connect) => {
  const client = connect(app());

  test("each method reaches its own handler", async () => {
    for (const [method, expected] of [
      ["GET", { item_id: "7" }],
      ["POST", { created: "7" }],
      ["PUT", "put"],
      ["PATCH", "patch"],
      ["DELETE", "delete"],
      ["OPTIONS", "options"],
    ] as const) {
      const res = await client.request(method, "/items/7");
      assert.equal(res.status, 200, method);
      assert.deepEqual(await res.json(), expected, method);
    }
  });

  test("path parameters are percent-decoded", async () => {
    const res = await client.get("/items/a%20b");
    assert.deepEqual(await res.json(), { item_id: "a b" });
  });

  test("several path parameters", async () => {
    const res = await client.get("/users/u1/posts/p2");
    assert.deepEqual(await res.json(), { user_id: "u1", post_id: "p2" });
  });

  test("{name:path} captures the rest of the path, slashes included", async () => {
    const res = await client.get("/files/docs/2024/report.txt");
    assert.deepEqual(await res.json(), { file_path: "docs/2024/report.txt" });
  });

  test("unknown path: 404 with FastAPI's body", async () => {
    const res = await client.get("/nowhere");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { detail: "Not Found" });
  });

  test("known path, wrong method: 405 with an Allow header", async () => {
    const res = await client.post("/items/");
    assert.equal(res.status, 405);
    assert.deepEqual(await res.json(), { detail: "Method Not Allowed" });
    assert.equal(res.headers.get("allow"), "GET, HEAD");
  });

  test("405 lists every method of the path, in a stable order", async () => {
    const res = await client.get("/write-only");
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST, PUT, DELETE");
  });

  test("HEAD is answered for every GET route, with the GET headers and no body", async () => {
    const res = await client.head("/items/7");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("content-length"), String(JSON.stringify({ item_id: "7" }).length));
    assert.equal(await res.text(), "");
  });

  test("an explicit HEAD route without GET answers HEAD only", async () => {
    assert.equal((await client.head("/only-head")).status, 200);
    assert.equal((await client.get("/only-head")).status, 405);
  });

  // Static paths are looked up in a map before the router's tree (route-table.ts): an explicit
  // HEAD declared after the GET must still replace the GET's, and a path that only matches
  // once decoded must still reach its route.
  test("static paths: an explicit HEAD after the GET wins, an escaped path still matches", async () => {
    const app = new Spry({ logger: false });
    app.get("/status", () => ({ via: "get" }));
    app.head("/status", () => new Response(null, { status: 204, headers: { "x-via": "head" } }));
    app.get("/fast_task/", () => "fast");
    const own = connect(app);
    const head = await own.head("/status");
    assert.equal(head.status, 204);
    assert.equal(head.headers.get("x-via"), "head");
    assert.deepEqual(await (await own.get("/status")).json(), { via: "get" });
    assert.equal(await (await own.get("/fast%5Ftask/")).json(), "fast");
    assert.equal((await own.get("/fast_task")).status, 307);
    assert.equal((await own.get("/FAST_TASK/")).status, 404);
  });

  test("redirect_slashes: 307 to the form that exists, query kept", async () => {
    const added = await client.get("/items?limit=2");
    assert.equal(added.status, 307);
    assert.equal(added.headers.get("location"), "/items/?limit=2");
    const removed = await client.get("/no-slash/");
    assert.equal(removed.status, 307);
    assert.equal(removed.headers.get("location"), "/no-slash");
  });

  test("redirect_slashes never points at another site", async () => {
    const res = await client.get("//evil.example/");
    assert.notEqual(res.status, 307);
    assert.equal(res.headers.get("location"), null);
  });

  test("no redirect when neither form exists", async () => {
    assert.equal((await client.get("/missing/")).status, 404);
  });

  test("routing is case-sensitive, as in FastAPI", async () => {
    assert.equal((await client.get("/ITEMS/")).status, 404);
  });

  test("a path parameter longer than 100 characters does not match: 404", async () => {
    assert.equal((await client.get(`/items/${"x".repeat(100)}`)).status, 200);
    assert.equal((await client.get(`/items/${"x".repeat(101)}`)).status, 404);
  });

  test("a URL longer than 8 KiB: 414", async () => {
    const res = await client.get(`/items/1?q=${"x".repeat(8 * 1024)}`);
    assert.equal(res.status, 414);
  });

  test("bad percent-encoding in the path: 400", async () => {
    const res = await client.get("/items/%zz");
    assert.equal(res.status, 400);
    assert.match((await res.json()).detail, /percent-encoding/);
  });
});

forEachTransport("redirect_slashes off", (connect) => {
  test("the other form is a plain 404", async () => {
    const app = new Spry({ logger: false, redirectSlashes: false });
    app.get("/a/", () => "a");
    const res = await connect(app).get("/a");
    assert.equal(res.status, 404);
  });
});

forEachTransport("routers", (connect) => {
  test("a router's prefix and an include's prefix are both applied", async () => {
    const items = new Router({ prefix: "/items", tags: ["items"] });
    items.get("/{item_id}", ({ item_id }) => ({ item_id }));
    const app = new Spry({ logger: false });
    app.include(items, { prefix: "/v1", tags: ["v1"] });
    const res = await connect(app).get("/v1/items/3");
    assert.deepEqual(await res.json(), { item_id: "3" });
    assert.deepEqual(app.routes.find((r) => r.path === "/v1/items/{item_id}")!.options.tags, ["v1", "items"]);
  });

  test("routers nest, and the route's own tags come last", async () => {
    const inner = new Router({ prefix: "/inner", tags: ["inner"] });
    inner.get("/x", () => "x", { tags: ["own"] });
    const outer = new Router({ prefix: "/outer", tags: ["outer"] });
    outer.include(inner);
    const app = new Spry({ logger: false });
    app.include(outer);
    assert.equal((await (await connect(app).get("/outer/inner/x")).json()), "x");
    assert.deepEqual(app.routes.find((r) => r.path === "/outer/inner/x")!.options.tags, ["outer", "inner", "own"]);
  });
});

test("registration errors are raised when the route is declared", () => {
  const app = new Spry({ logger: false });
  app.get("/dup", () => 1);
  assert.throws(() => app.get("/dup", () => 2), /already registered/);
  assert.throws(() => app.get("no-slash", () => 1), /must start with "\/"/);
  assert.throws(() => app.get("/a/{rest:path}/b", () => 1), /must end the path/);
  assert.throws(() => app.get("/a/{x:uuid}", () => 1), /Unknown path converter/);
  assert.throws(() => app.get("/a/{x}/{x}", () => 1), /appears twice/);
  assert.throws(() => new Router({ prefix: "items" }), /prefix must start/);
});

test("a literal colon in a template is not a parameter", async () => {
  const app = new Spry({ logger: false });
  app.get("/v1:batch", () => "batch");
  const { TestClient } = await import("spry/testing");
  assert.equal(await (await new TestClient(app).get("/v1:batch")).json(), "batch");
});

forEachTransport("bad percent-encoding in the query", (connect) => {
  test("is 400 even on a route that reads no query", async () => {
    const app = new Spry({ logger: false });
    let calls = 0;
    app.get("/plain", () => ++calls);
    const client = connect(app);
    const res = await client.get("/plain?x=%zz");
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: "Invalid percent-encoding in the query string" });
    assert.equal(calls, 0);
    assert.equal((await client.get("/plain?x=%41")).status, 200);
  });
});

// Parameterless routes are looked up before find-my-way (src/toolkit/route-table.ts): the same
// route, whichever way the request reaches it.
forEachTransport("routes without parameters", (connect) => {
  test("an escaped path reaches the same route; an explicit HEAD replaces the automatic one; params are the request's own", async () => {
    const app = new Spry({ logger: false });
    app.get("/fast_task/", (_, ctx) => {
      const params = ctx.params as Record<string, string>;
      params.seen = String(Object.keys(params).length);
      return { seen: params.seen };
    });
    app.get("/static", () => "get");
    app.head("/static", () => new Response(null, { headers: { "x-head": "explicit" } }));
    const client = connect(app);
    assert.deepEqual(await (await client.get("/fast_task/")).json(), { seen: "0" });
    assert.deepEqual(await (await client.get("/fast_task/")).json(), { seen: "0" }, "no state left by the last request");
    assert.deepEqual(await (await client.get("/fast%5Ftask/")).json(), { seen: "0" }, "decoded by find-my-way");
    assert.equal((await client.get("/FAST_TASK/")).status, 404, "case-sensitive");
    const head = await client.head("/static");
    assert.equal(head.headers.get("x-head"), "explicit");
    assert.equal(await (await client.get("/static")).json(), "get");
  });
});

test("a static route and a parametric one whose paths end alike are each found (route-table.ts's pathEnd)", async () => {
  const app = new Spry({ logger: false });
  // "/ab/x2" and "/cd/x2" share a length and a last character with "/ab/{id}"'s "/ab/42"-like paths.
  app.get("/ab/x2", () => "static ab");
  app.get("/cd/x2", () => "static cd");
  app.get("/ab/{id}", ({ id }) => ({ id }));
  const { TestClient } = await import("spry/testing");
  const client = new TestClient(app);
  assert.equal(await (await client.get("/ab/x2")).json(), "static ab");
  assert.equal(await (await client.get("/cd/x2")).json(), "static cd");
  assert.deepEqual(await (await client.get("/ab/42")).json(), { id: "42" });
  assert.deepEqual(await (await client.get("/ab/x3")).json(), { id: "x3" });
  assert.equal((await client.get("/cd/y2")).status, 404);
});
