// The docs' example apps do what their pages say.
import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import exceptionHandlersApp from "../../docs/examples/exception-handlers.ts";
import inputsApp from "../../docs/examples/inputs.ts";
import optionalAuthApp from "../../docs/examples/optional-auth.ts";
import responsesApp from "../../docs/examples/responses.ts";
import routersApp from "../../docs/examples/routers.ts";
import linksApp, { firstItemPath } from "../../docs/examples/links.ts";
import { start } from "../../docs/examples/serve.ts";

test("inputs.ts: every location, converted", async () => {
  const client = new TestClient(inputsApp);
  const res = await client.get("/items/5?q=hi&limit=3&tags=a&tags=b&sort=desc&item-query=x", {
    headers: { "user-agent": "docs/1" },
    cookies: { session_id: "s1" },
  });
  assert.deepEqual(await res.json(), {
    item_id: 5, q: "hi", limit: 3, tags: ["a", "b"], sort: "desc", user_agent: "docs/1", session_id: "s1", item_query: "x",
  });
  const defaults = await client.get("/items/5", { headers: { "user-agent": "docs/2" } });
  assert.deepEqual(await defaults.json(), { item_id: 5, limit: 10, tags: [], sort: "asc", user_agent: "docs/2" });
  const bad = await client.get("/items/0?limit=500&sort=up");
  assert.equal(bad.status, 422);
  assert.deepEqual((await bad.json()).detail.map((e: { type: string }) => e.type), ["greater_than_equal", "less_than_equal", "enum"]);
});

test("responses.ts: values, statuses, Responses, HTTPException", async () => {
  const client = new TestClient(responsesApp);
  const created = await client.post("/items/?name=Saw&price=12");
  assert.equal(created.status, 201);
  assert.deepEqual(await created.json(), { id: 2, name: "Saw", price: 12 });
  assert.deepEqual(await (await client.get("/items/2")).json(), { name: "Saw", price: 12 });
  const deleted = await client.delete("/items/2");
  assert.equal(deleted.status, 204);
  assert.equal(await deleted.text(), "");
  const missing = await client.get("/items/2");
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("x-error"), "missing");
  const csv = await client.get("/report.csv");
  assert.equal(csv.headers.get("content-type"), "text/csv");
  assert.equal(await csv.text(), "name,price\nHammer,9.5\n");
});

test("exception-handlers.ts: by class, by status, spry's own 404 included", async () => {
  const client = new TestClient(exceptionHandlersApp);
  assert.deepEqual(await (await client.get("/items/5")).json(), { item_id: 5 });
  const invalid = await client.get("/items/abc");
  assert.equal(invalid.status, 400);
  assert.deepEqual(await invalid.json(), { errors: 1 });
  const unknown = await client.get("/nowhere");
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { message: "No /nowhere" });
  const raised = await client.get("/items/101");
  assert.equal(raised.status, 404);
  assert.deepEqual(await raised.json(), { message: "No /items/101" });
  const out = await client.get("/items/7");
  assert.equal(out.status, 409);
  assert.deepEqual(await out.json(), { item: 7, detail: "Item 7 is out of stock" });
});

test("optional-auth.ts: autoError false serves guests instead of a 401", async () => {
  const client = new TestClient(optionalAuthApp);
  const guest = await client.get("/");
  assert.equal(guest.status, 200);
  assert.deepEqual(await guest.json(), { greeting: "hello, guest" });
  assert.deepEqual(await (await client.get("/", { cookies: { session: "s1" } })).json(), { greeting: "welcome back" });
});

test("routers.ts: prefixes, tags and a path wildcard", async () => {
  const client = new TestClient(routersApp);
  assert.deepEqual(await (await client.get("/v1/items/")).json(), [{ id: 1 }, { id: 2 }]);
  assert.deepEqual(await (await client.get("/v1/items/7")).json(), { id: 7 });
  assert.deepEqual(await (await client.get("/files/a/b.txt")).json(), { file_path: "a/b.txt" });
  assert.deepEqual(routersApp.routes.filter((r) => r.options.includeInSchema !== false).map((r) => [r.path, r.options.tags]), [
    ["/v1/items/", ["items"]],
    ["/v1/items/{item_id}", ["items"]],
    ["/files/{file_path:path}", ["files"]],
  ]);
});

test("links.ts: a created item's Location leads to it, through the proxy's prefix", async () => {
  const client = new TestClient(linksApp);
  const created = await client.post("/items", { json: { name: "Saw" } });
  assert.equal(created.status, 201);
  const location = created.headers.get("location")!;
  assert.equal(location, "http://testserver/shop/items/1");
  assert.equal(firstItemPath, "/items/1");
  // The proxy strips /shop before the app sees the path.
  const path = new URL(location).pathname.slice("/shop".length);
  assert.deepEqual(await (await client.get(path)).json(), { name: "Saw" });
});

test("serve.ts: serves the seed app on a real socket", async () => {
  const running = await start(0);
  try {
    const body = await new Promise<string>((resolve, reject) => {
      request(`${running.url}/fast_task/`, (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve(text));
      }).on("error", reject).end();
    });
    assert.deepEqual(JSON.parse(body), { message: "This is fast!" });
  } finally {
    await running.close();
  }
});
