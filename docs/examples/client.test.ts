// docs/examples/client.test.ts: the same client in a test, in process, with the same types.
import assert from "node:assert/strict";
import { test } from "node:test";
import { client } from "spry/client";
import { app } from "./client-app.ts";

test("reads an item and refuses a bad one, in process", async () => {
  const api = client(app); // no socket: app.fetch answers
  const res = await api.get("/v1/items/{item_id}", { path: { item_id: 1 }, headers: { "x-token": "t" } });
  assert.equal(res.status, 200);
  if (res.status === 200) assert.equal(res.data.name, "Hammer");
  const bad = await api.post("/v1/items/", { body: { name: "Saw", price: -1 } });
  assert.equal(bad.status, 422);
  if (bad.status === 422) assert.deepEqual(bad.data.detail[0]!.loc, ["body", "price"]);
});
