// docs/examples/quickstart/app.test.ts: its test (app.test.ts beside it), run by `node --test`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "./app.ts";

const client = new TestClient(app);

test("an item: the id from the path as a number, q from the query string", async () => {
  const res = await client.get("/items/5", { query: { q: "hammer" } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { item_id: 5, q: "hammer" });
});

test("an id that is not an integer is a 422 naming it", async () => {
  const res = await client.get("/items/abc");
  assert.equal(res.status, 422);
  assert.deepEqual((await res.json()).detail[0].loc, ["path", "item_id"]);
});
