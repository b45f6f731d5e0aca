// docs/examples/background-tasks.ts does what docs/background-tasks.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app, { audit, sent } from "../../docs/examples/background-tasks.ts";

test("the response is sent first; the dependency's and the handler's tasks run after it, in order", async () => {
  const client = await TestClient.open(app);
  const res = await client.post("/users", { json: { email: "ada@example.com", name: "Ada" } });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { created: "ada@example.com" });
  await client.close(); // shutdown waits for pending tasks
  assert.deepEqual(audit, ["POST /users"]);
  assert.deepEqual(sent, ["Welcome, Ada <ada@example.com>"]);
});

test("a bad request runs no task: the route's 422 comes before the handler", async () => {
  sent.length = 0;
  const client = await TestClient.open(app);
  assert.equal((await client.post("/users", { json: { email: "nope", name: "Ada" } })).status, 422);
  await client.close();
  assert.deepEqual(sent, []);
});
