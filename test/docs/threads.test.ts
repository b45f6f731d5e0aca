// docs/examples/threads.ts and hashing.ts do what docs/threads.md says.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { threadPool } from "spry";
import { TestClient } from "spry/testing";
import app from "../../docs/examples/threads.ts";

const client = new TestClient(app);
after(() => app.shutdown());

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

test("passwords are hashed and verified in the pool: a handler awaiting it, and a dependency", async () => {
  const created = await client.post("/users/", { json: { username: "ada", password: "correct horse" } });
  assert.deepEqual(await created.json(), { username: "ada" });
  assert.deepEqual(await (await client.get("/me", { headers: { authorization: basic("ada", "correct horse") } })).json(), { username: "ada" });
  assert.equal((await client.get("/me", { headers: { authorization: basic("ada", "wrong") } })).status, 401);
});

test("a threaded handler gets its validated inputs; bad ones are 422s", async () => {
  const res = await client.get("/checksum/hello", { query: { rounds: 3 } });
  const body = await res.json();
  assert.equal(body.text, "hello");
  assert.match(body.digest, /^[0-9a-f]{32}$/);
  assert.equal((await client.get("/checksum/hello", { query: { rounds: 0 } })).status, 422);
});

test("bytes go to the thread and come back", async () => {
  const res = await client.post("/invert", { body: new Uint8Array([0, 1, 255]) });
  assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [255, 254, 0]);
});

test("the stats route shows the pool's configured size and what it has done", async () => {
  // Work of its own first, so that it holds whichever tests ran before it, or none.
  const before = await (await client.get("/metrics/threads")).json();
  for (const text of ["a", "b", "c"]) assert.equal((await client.get(`/checksum/${text}`, { query: { rounds: 1 } })).status, 200);
  const stats = await (await client.get("/metrics/threads")).json();
  assert.equal(stats.size, 2);
  assert.equal(stats.maxQueue, 64);
  assert.equal(stats.completed - before.completed, 3);
  assert.deepEqual(Object.keys(stats).sort(), Object.keys(threadPool.stats()).sort());
});
