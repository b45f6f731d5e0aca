// docs/examples/testing-app.test.ts: the lifespan, forms, files, cookies and redirects in a test.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { TestClient } from "spry/testing";
import app from "./lifespan.ts";

// open() runs the lifespan (as FastAPI's `with TestClient(app)`); close() runs its shutdown.
const client = await TestClient.open(app, { followRedirects: true });
after(() => client.close());

test("logging in with a form sets a cookie that the next requests carry", async () => {
  const res = await client.post("/login", { form: { username: "ada" } }); // 303, followed to /me
  assert.deepEqual(await res.json(), { user: "ada", visits: 1 });
  assert.equal(client.cookies.get("user"), "ada");
  assert.deepEqual(await (await client.get("/me")).json(), { user: "ada", visits: 2 });
});

test("uploading a file", async () => {
  const res = await client.post("/avatar", { files: { image: { filename: "me.png", content: new Uint8Array(8), contentType: "image/png" } } });
  assert.deepEqual(await res.json(), { filename: "me.png", size: 8 });
});

test("a router module reads the typed state from the request", async () => {
  const res = await client.get("/visits/ada");
  assert.equal((await res.json()).visits, 2);
});

test("the state is the lifespan's", () => {
  assert.equal(app.state.visits.closed, false);
  assert.ok(app.state.startedAt instanceof Date);
});
