// `node --test`: spry's TestClient drives the app in-process, lifespan included.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TestClient } from "spry/testing";
import app from "./app.js";

let client;
before(async () => (client = await TestClient.open(app)));
after(() => client.close());

test("a declared input, converted and validated", async () => {
  const ok = await client.get("/items/5", { query: { q: "x" } });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { item_id: 5, q: "x" });
  const bad = await client.get("/items/five");
  assert.equal(bad.status, 422);
  assert.deepEqual((await bad.json()).detail[0].loc, ["path", "item_id"]);
});

test("the lifespan's state", async () => {
  assert.deepEqual(await (await client.get("/greeting")).json(), { greeting: "hello" });
});
