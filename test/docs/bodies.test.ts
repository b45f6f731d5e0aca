// docs/examples/bodies.ts and strict.ts do what docs/bodies.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "../../docs/examples/bodies.ts";
import strictApp from "../../docs/examples/strict.ts";

const client = new TestClient(app);

test("a model body is validated and echoed through its response model", async () => {
  const res = await client.post("/items/", { json: { name: "Hammer", price: 9.5, color: "red" } });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { name: "Hammer", price: 9.5, tags: [] });
  const bad = await client.post("/items/", { json: { name: "", price: -1 } });
  assert.equal(bad.status, 422);
  assert.deepEqual((await bad.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["body", "name"], ["body", "price"]]);
});

test("several body inputs are embedded by name", async () => {
  const res = await client.put("/items/3", { json: { item: { name: "Saw", price: 3 }, importance: 2 } });
  assert.deepEqual(await res.json(), { item_id: 3, name: "Saw", price: 3, tags: [], importance: 2 });
});

test("the response model strips the password hash; json() answers 404 with its own model", async () => {
  const created = await client.post("/users/", { json: { username: "ada", password: "correct horse" } });
  assert.equal(created.status, 201);
  const text = await created.text();
  assert.doesNotMatch(text, /hash/);
  // The id is whatever the app's store gave: other tests may have created users first.
  const user = JSON.parse(text);
  assert.deepEqual(user, { id: user.id, username: "ada" });
  assert.ok(Number.isInteger(user.id) && user.id >= 1);
  assert.deepEqual(await (await client.get(`/users/${user.id}`)).json(), { id: user.id, username: "ada" });
  const missing = await client.get("/users/9");
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { message: "User not found" });
});

test("the OpenAPI document names the models and takes the summary from the JSDoc", () => {
  const doc = app.openapi();
  const create = doc.paths["/users/"]!.post;
  assert.equal(create.summary, "Create a user. The password hash never leaves the server: UserOut has no such field.");
  assert.deepEqual(create.requestBody.content["application/json"].schema, { $ref: "#/components/schemas/UserIn" });
  assert.deepEqual(create.responses["201"].content["application/json"].schema, { $ref: "#/components/schemas/UserOut" });
  assert.deepEqual(doc.paths["/users/{user_id}"]!.get.responses["404"].content["application/json"].schema, { $ref: "#/components/schemas/Message" });
});

// docs/examples/strict.ts: the table in docs/bodies.md, lax and strict.
const orders = new TestClient(strictApp);
const stringly = { quantity: "2", price: "9.5", gift: "yes" };

test("lax (the default): numeric strings and pydantic's boolean words are converted, as FastAPI does", async () => {
  const res = await orders.post("/orders/", { json: stringly });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { quantity: 2, price: 9.5, gift: true });
});

test("strict by the model and by the route: JSON's own types only, each refusal named as pydantic names it", async () => {
  const refused = {
    detail: [
      { type: "int_type", loc: ["body", "quantity"], msg: "Input should be a valid integer", input: "2" },
      { type: "float_type", loc: ["body", "price"], msg: "Input should be a valid number", input: "9.5" },
      { type: "bool_type", loc: ["body", "gift"], msg: "Input should be a valid boolean", input: "yes" },
    ],
  };
  for (const path of ["/strict/orders/", "/v2/orders/"]) {
    const res = await orders.post(path, { json: stringly });
    assert.equal(res.status, 422, path);
    assert.deepEqual(await res.json(), refused, path);
    const typed = await orders.post(path, { json: { quantity: 2, price: 9.5 } });
    assert.deepEqual(await typed.json(), { quantity: 2, price: 9.5, gift: false }, path);
  }
});
