// docs/examples/dependencies.ts does what docs/dependencies.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { depends } from "spry";
import { TestClient } from "spry/testing";
import app, { currentUser, events } from "../../docs/examples/dependencies.ts";

const client = new TestClient(app);

test("inputs, sub-dependencies shared once, teardown after the response", async () => {
  events.length = 0;
  const res = await client.get("/items/?limit=5", { headers: { "x-token": "secret" } });
  assert.deepEqual(await res.json(), { user: "ada", rows: ["select * from items limit 5 offset 0"] });
  for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events, ["connect", "release"]);
});

test("a failing dependency answers for the route, and the connection is still released", async () => {
  events.length = 0;
  const res = await client.get("/items/", { headers: { "x-token": "wrong" } });
  assert.equal(res.status, 401);
  for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(events, ["connect", "release"]);
});

test("input errors of every dependency are reported together", async () => {
  const res = await client.get("/items/?limit=500&skip=-1");
  assert.equal(res.status, 422);
  assert.deepEqual((await res.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["query", "skip"], ["query", "limit"], ["header", "x-token"]]);
});

test("an override replaces a dependency for tests", async () => {
  app.dependencyOverrides.set(currentUser, depends(() => ({ name: "test user", seen: 0 })));
  try {
    assert.equal((await (await client.get("/items/")).json()).user, "test user");
  } finally {
    app.dependencyOverrides.clear();
  }
});
