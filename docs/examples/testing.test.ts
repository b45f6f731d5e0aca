// docs/examples/testing.test.ts: testing an app in-process with TestClient.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "./responses.ts";

const client = new TestClient(app);

test("reads an item", async () => {
  const res = await client.get("/items/1");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { name: "Hammer", price: 9.5 });
});

test("a missing item is a 404 with FastAPI's body", async () => {
  const res = await client.get("/items/99");
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { detail: "Item not found" });
});

test("a bad id is a 422 naming the input", async () => {
  const res = await client.get("/items/abc");
  assert.equal(res.status, 422);
  assert.deepEqual((await res.json()).detail[0].loc, ["path", "item_id"]);
});
