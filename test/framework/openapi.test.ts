import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Router, Spry, body, cookie, form, header, json } from "spry";
import { TestClient } from "spry/testing";

const Address = z.object({ city: z.string() }).meta({ id: "Address" });
const Item = z.object({ name: z.string(), price: z.number(), address: Address, tags: z.array(z.string()).default([]) }).meta({ id: "Item" });
const Message = z.object({ message: z.string() }).meta({ id: "Message" });

function app(): Spry {
  const app = new Spry({ logger: false, title: "Shop", version: "2.0.0", description: "Items and such" });
  /**
   * Read one item.
   *
   * Looks the item up by its id; 404 when there is none.
   */
  app.get("/items/{item_id}", {
    item_id: z.int().min(1),
    q: z.string().optional(),
    limit: z.int().default(10),
    x_token: header(z.string()),
    session: cookie(z.string().optional()),
  }, ({ item_id }) => ({ name: String(item_id), price: 1, address: { city: "x" }, tags: [] }), {
    response: Item,
    responses: { 404: { model: Message, description: "Item not found" } },
    tags: ["items"],
  });
  app.post("/items/", { item: Item }, ({ item }) => item, { status: 201, response: Item, summary: "Create", operationId: "create_item" });
  app.put("/embedded/{id}", { id: z.int(), item: Item, importance: body(z.int()) }, () => null, { deprecated: true });
  app.post("/login", { username: form(z.string()), password: form(z.string()) }, () => json({ message: "ok" }));
  app.delete("/items/{item_id}", { item_id: z.int() }, () => undefined, { status: 204 });
  app.get("/hidden", () => "secret", { includeInSchema: false });
  app.get("/files/{file_path:path}", ({ file_path }) => file_path);
  const admin = new Router({ prefix: "/admin", tags: ["admin"] });
  admin.get("/stats", () => ({}));
  app.include(admin);
  return app;
}

test("info, version and the OpenAPI version", () => {
  const doc = app().openapi();
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(doc.info, { title: "Shop", version: "2.0.0", description: "Items and such" });
});

test("parameters with their locations, wire names, requiredness and titles", () => {
  const op = app().openapi().paths["/items/{item_id}"]!.get;
  assert.deepEqual(op.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required]), [
    ["item_id", "path", true],
    ["q", "query", false],
    ["limit", "query", false],
    ["x-token", "header", true],
    ["session", "cookie", false],
  ]);
  const itemId = op.parameters[0].schema;
  assert.equal(itemId.type, "integer");
  assert.equal(itemId.minimum, 1);
  assert.equal(itemId.title, "Item Id");
  assert.equal(op.parameters[2].schema.default, 10);
});

test("summary and description come from the JSDoc above the declaration; options win", () => {
  const doc = app().openapi();
  const read = doc.paths["/items/{item_id}"]!.get;
  assert.equal(read.summary, "Read one item.");
  assert.equal(read.description, "Looks the item up by its id; 404 when there is none.");
  const create = doc.paths["/items/"]!.post;
  assert.equal(create.summary, "Create");
  assert.equal(create.operationId, "create_item");
});

test("operation ids are unique and FastAPI-like by default", () => {
  const doc = app().openapi();
  assert.equal(doc.paths["/items/{item_id}"]!.get.operationId, "get_items__item_id_");
  const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op: { operationId: string }) => op.operationId));
  assert.equal(new Set(ids).size, ids.length);
});

test("a JSON body: the model by $ref; named models become components", () => {
  const doc = app().openapi();
  const create = doc.paths["/items/"]!.post;
  assert.deepEqual(create.requestBody, {
    content: { "application/json": { schema: { $ref: "#/components/schemas/Item-Input" } } },
    required: true,
  });
  assert.deepEqual(create.responses["201"].content["application/json"].schema, { $ref: "#/components/schemas/Item-Output" });
  const schemas = (doc.components as { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> }).schemas;
  // Item's input and output differ (a default makes "tags" required on output), so both are kept.
  assert.ok(schemas["Item-Input"] && schemas["Item-Output"]);
  assert.deepEqual(schemas["Item-Input"]!.required, ["name", "price", "address"]);
  assert.deepEqual(schemas["Item-Output"]!.required, ["name", "price", "address", "tags"]);
  assert.deepEqual(schemas["Item-Input"]!.properties!.address, { $ref: "#/components/schemas/Address-Input" });
});

test("several body inputs are embedded by name in the request body schema", () => {
  const op = app().openapi().paths["/embedded/{id}"]!.put;
  const schema = op.requestBody.content["application/json"].schema;
  assert.equal(schema.type, "object");
  assert.deepEqual(Object.keys(schema.properties), ["item", "importance"]);
  assert.deepEqual(schema.required, ["item", "importance"]);
  assert.equal(op.deprecated, true);
});

test("form fields are an urlencoded request body", () => {
  const op = app().openapi().paths["/login"]!.post;
  const schema = op.requestBody.content["application/x-www-form-urlencoded"].schema;
  assert.deepEqual(schema.required, ["username", "password"]);
});

test("responses per status, 204 without content, 422 wherever input is validated", () => {
  const doc = app().openapi();
  const read = doc.paths["/items/{item_id}"]!.get;
  assert.deepEqual(Object.keys(read.responses), ["200", "404", "422"]);
  assert.equal(read.responses["404"].description, "Item not found");
  assert.deepEqual(read.responses["404"].content["application/json"].schema, { $ref: "#/components/schemas/Message" });
  assert.deepEqual(read.responses["422"].content["application/json"].schema, { $ref: "#/components/schemas/HTTPValidationError" });
  assert.deepEqual(doc.paths["/items/{item_id}"]!.delete.responses["204"], { description: "Successful Response" });
  assert.equal(doc.paths["/admin/stats"]!.get.responses["422"], undefined, "no inputs, no 422");
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  assert.ok(schemas.HTTPValidationError && schemas.ValidationError);
});

test("tags from routers and routes; hidden routes and the docs themselves are left out; {x:path} is {x}", () => {
  const doc = app().openapi();
  assert.deepEqual(doc.paths["/admin/stats"]!.get.tags, ["admin"]);
  assert.deepEqual(doc.paths["/items/{item_id}"]!.get.tags, ["items"]);
  assert.equal(doc.paths["/hidden"], undefined);
  assert.equal(doc.paths["/openapi.json"], undefined);
  assert.equal(doc.paths["/docs"], undefined);
  assert.ok(doc.paths["/files/{file_path}"]);
});

test("/openapi.json serves the document; it is built once and rebuilt after a route is added", async () => {
  const spry = app();
  const client = new TestClient(spry);
  const res = await client.get("/openapi.json");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), spry.openapi());
  assert.equal(spry.openapiJson(), spry.openapiJson());
  spry.get("/late", () => 1);
  assert.ok(spry.openapi().paths["/late"]);
});

test("/docs and /redoc are pages whose assets are served by the app itself", async () => {
  const client = new TestClient(app());
  const docs = await client.get("/docs");
  assert.equal(docs.headers.get("content-type"), "text/html; charset=utf-8");
  const html = await docs.text();
  assert.match(html, /<script src="\/docs\/swagger-ui-bundle\.js">/);
  assert.match(html, /url: "\/openapi\.json"/);
  assert.doesNotMatch(html, /https?:\/\//, "nothing from a CDN");
  const bundle = await client.get("/docs/swagger-ui-bundle.js");
  assert.equal(bundle.status, 200);
  assert.equal(bundle.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.ok((await bundle.arrayBuffer()).byteLength > 100_000);
  assert.equal((await client.get("/docs/swagger-ui.css")).status, 200);
  const redoc = await (await client.get("/redoc")).text();
  assert.match(redoc, /<redoc spec-url="\/openapi\.json">/);
  assert.equal((await client.get("/redoc/redoc.standalone.js")).status, 200);
});

test("each page and the document can be moved or turned off", async () => {
  const moved = new TestClient(new Spry({ logger: false, openapiUrl: "/api/schema.json", docsUrl: "/api/docs", redocUrl: false }));
  assert.equal((await moved.get("/api/schema.json")).status, 200);
  assert.match(await (await moved.get("/api/docs")).text(), /url: "\/api\/schema\.json"/);
  assert.equal((await moved.get("/redoc")).status, 404);
  assert.equal((await moved.get("/docs")).status, 404);
  const off = new TestClient(new Spry({ logger: false, openapiUrl: false }));
  for (const path of ["/openapi.json", "/docs", "/redoc"]) assert.equal((await off.get(path)).status, 404, path);
});

test("zod's safe-integer bounds are left out; declared bounds stay", () => {
  const app = new Spry({ logger: false });
  app.get("/n/{a}", { a: z.int(), b: z.int().min(1), c: z.int().max(5) }, () => null);
  const [a, b, c] = app.openapi().paths["/n/{a}"]!.get.parameters.map((p: { schema: Record<string, unknown> }) => p.schema);
  assert.deepEqual([a.minimum, a.maximum, b.minimum, b.maximum, c.minimum, c.maximum], [undefined, undefined, 1, undefined, undefined, 5]);
});
