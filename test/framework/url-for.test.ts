// Links to named routes: app.urlPathFor(name, params), as FastAPI's app.url_path_for, and from
// a request, ctx.app.urlPathFor. Compared with FastAPI 0.142 (Starlette's url_path_for): a
// route is named by its `name` option, else its handler's function name; the parameters must be
// exactly the route's (NoMatchFound otherwise); the path has no root path. Unlike Starlette,
// values are percent-encoded, so that a `?`, `#`, `%` or `/` in one stays in its segment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { NoMatchFound, Router, Spry } from "spry";
import { TestClient } from "spry/testing";
import { TestServer } from "../support/server.ts";

function items() {
  const app = new Spry({ logger: false, rootPath: "/api" });
  app.get("/items/{item_id}", { item_id: z.string() }, function readItem({ item_id }) {
    return { item_id };
  });
  app.get("/files/{file_path:path}", { file_path: z.string() }, ({ file_path }) => ({ file_path }), { name: "file" });
  app.get("/", () => "home", { name: "home" });
  app.post("/items/{item_id}", { item_id: z.string() }, () => "updated", { name: "readItem" });
  const users = new Router({ prefix: "/users" });
  users.get("/{user_id}/orders/{order_id}", { user_id: z.int(), order_id: z.int() }, () => "order", { name: "order" });
  users.get("/{user_id}", { user_id: z.int() }, () => "user", { name: "user" });
  app.include(users, { prefix: "/v1" });
  app.get("/link", (_, ctx) => ({ path: ctx.app.urlPathFor("order", { user_id: 7, order_id: 9 }), url: ctx.urlFor("readItem", { item_id: "a b" }).href }));
  app.get("/{rest:path}", { rest: z.string() }, ({ rest }) => ({ rest }), { name: "anything" });
  return app;
}

describe("urlPathFor", () => {
  test("a route named by its handler's function name, or by its name option; a router's prefixes included", () => {
    const app = items();
    assert.equal(app.urlPathFor("readItem", { item_id: "42" }), "/items/42");
    assert.equal(app.urlPathFor("readItem", { item_id: 42 }), "/items/42");
    assert.equal(app.urlPathFor("home"), "/");
    assert.equal(app.urlPathFor("order", { user_id: 7, order_id: 9 }), "/v1/users/7/orders/9");
    assert.equal(app.urlPathFor("user", { user_id: 7n }), "/v1/users/7");
  });

  test("values are percent-encoded; a {name:path} keeps its slashes", () => {
    const app = items();
    assert.equal(app.urlPathFor("readItem", { item_id: "a b/c?d#e%f" }), "/items/a%20b%2Fc%3Fd%23e%25f");
    assert.equal(app.urlPathFor("file", { file_path: "docs/a b/ü.txt" }), "/files/docs/a%20b/%C3%BC.txt");
  });

  test("the link leads back to the route, with the value it was given", async () => {
    const app = items();
    const client = new TestClient(app);
    for (const value of ["plain", "a b/c?d#e%f", "ü 😀"]) {
      assert.deepEqual(await (await client.get(app.urlPathFor("readItem", { item_id: value }))).json(), { item_id: value });
    }
    assert.deepEqual(await (await client.get(app.urlPathFor("file", { file_path: "x/y z/w" }))).json(), { file_path: "x/y z/w" });
  });

  test("missing, extra or unknown parameters, an unknown name or an empty segment: NoMatchFound, naming what the route takes", () => {
    const app = items();
    assert.throws(() => app.urlPathFor("readItem"), { name: "NoMatchFound", message: 'No route named "readItem" takes no parameters: it takes the parameters item_id' });
    assert.throws(() => app.urlPathFor("readItem", { item_id: 1, extra: 2 }), NoMatchFound);
    assert.throws(() => app.urlPathFor("order", { user_id: 1 }), /it takes the parameters user_id, order_id/);
    assert.throws(() => app.urlPathFor("nope", { x: 1 }), { message: 'No route named "nope" takes the parameters x: there is no route of that name' });
    assert.throws(() => app.urlPathFor("readItem", { item_id: "" }), /the path parameter item_id must not be empty/);
  });

  test("an anonymous handler has no name; a route added later is found", () => {
    const app = new Spry({ logger: false });
    app.get("/a", () => "a");
    assert.throws(() => app.urlPathFor(""), NoMatchFound);
    assert.throws(() => app.urlPathFor("later"), NoMatchFound);
    app.get("/later/{n}", function later() {
      return "later";
    });
    assert.equal(app.urlPathFor("later", { n: 1 }), "/later/1");
  });

  test("from a request: ctx.app.urlPathFor without the root path; ctx.urlFor absolute, through the root path", async () => {
    const response = await new TestClient(items()).get("/link");
    assert.deepEqual(await response.json(), { path: "/v1/users/7/orders/9", url: "http://testserver/api/items/a%20b" });
  });

  test("a {name:path} value starting with a slash never makes a link to another site, and still leads back", async () => {
    const app = items();
    assert.equal(app.urlPathFor("anything", { rest: "/evil.example/x" }), "/%2Fevil.example/x");
    const response = await new TestClient(app).get(app.urlPathFor("anything", { rest: "/evil.example/x" }));
    assert.deepEqual(await response.json(), { rest: "/evil.example/x" });
  });
});

describe("ctx.urlFor behind a proxy and below a mount", () => {
  test("the scheme and host a trusted proxy names, the proxy's prefix and the mount's", async () => {
    const sub = new Spry({ logger: false });
    sub.get("/orders/{id}", { id: z.int() }, function order({ id }) {
      return { id };
    });
    sub.get("/where", (_, ctx) => ({ url: ctx.urlFor("order", { id: 3 }).href }));
    const app = items();
    app.get("/where", (_, ctx) => ({ url: ctx.urlFor("home").href }));
    app.mount("/shop", sub);
    const srv = await TestServer.start(app);
    try {
      const proxied = { "x-forwarded-proto": "https", "x-forwarded-host": "api.example", host: "internal:8000" };
      assert.deepEqual(JSON.parse((await srv.get("/where", proxied)).body), { url: "https://api.example/api/" });
      assert.deepEqual(JSON.parse((await srv.get("/shop/where", proxied)).body), { url: "https://api.example/api/shop/orders/3" });
      assert.deepEqual(JSON.parse((await srv.get("/where", { host: "plain.example:8000" })).body), { url: "http://plain.example:8000/api/" });
    } finally {
      await srv.close();
    }
  });
});
