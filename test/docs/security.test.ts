// docs/examples/security.ts does what docs/security.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClient } from "spry/testing";
import app from "../../docs/examples/security.ts";
import { describeProblems, officialSchemaErrors, redoclyProblems, type Document } from "../openapi/openapi-tools.ts";

const client = new TestClient(app);

function login(fields: Record<string, string>): Promise<Response> {
  return client.post("/token", {
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

async function tokenFor(username: string, password: string, scope = ""): Promise<string> {
  const res = await login({ username, password, scope });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.token_type, "bearer");
  return body.access_token;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

test("POST /token checks the password against its scrypt hash; GET /users/me returns the user", async () => {
  const token = await tokenFor("johndoe", "secret");
  const me = await client.get("/users/me", bearer(token));
  assert.equal(me.status, 200);
  assert.deepEqual(await me.json(), { username: "johndoe", full_name: "John Doe" }, "no password hash, no scopes");
  for (const [username, password] of [["johndoe", "wrong"], ["nobody", "secret"]]) {
    const refused = await login({ username: username!, password: password! });
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { detail: "Incorrect username or password" });
  }
});

test("the form is validated like any input", async () => {
  const res = await login({ username: "johndoe" });
  assert.equal(res.status, 422);
  assert.deepEqual((await res.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["body", "password"]]);
});

test("GET /users/me without a token, or with an unknown one, is a 401 Bearer", async () => {
  const none = await client.get("/users/me");
  assert.equal(none.status, 401);
  assert.equal(none.headers.get("www-authenticate"), "Bearer");
  assert.deepEqual(await none.json(), { detail: "Not authenticated" });
  const unknown = await client.get("/users/me", bearer("made-up"));
  assert.equal(unknown.status, 401);
  assert.deepEqual(await unknown.json(), { detail: "Could not validate credentials" });
});

test("GET /items/ needs items:read: granted only when asked for and allowed", async () => {
  const unscoped = await client.get("/items/", bearer(await tokenFor("johndoe", "secret")));
  assert.equal(unscoped.status, 401);
  assert.equal(unscoped.headers.get("www-authenticate"), 'Bearer scope="items:read"');
  assert.deepEqual(await unscoped.json(), { detail: "Not enough permissions" });
  const scoped = await client.get("/items/", bearer(await tokenFor("johndoe", "secret", "items:read")));
  assert.equal(scoped.status, 200);
  assert.deepEqual(await scoped.json(), [{ name: "Portal Gun", owner: "johndoe" }, { name: "Plumbus", owner: "johndoe" }]);
  // alice may not read items: asking for the scope does not grant it.
  const alice = await client.get("/items/", bearer(await tokenFor("alice", "secret2", "items:read")));
  assert.equal(alice.status, 401);
});

test("the document declares the password flow and each protected operation, and is valid OpenAPI 3.1", async () => {
  const doc = app.openapi() as Document;
  assert.deepEqual((doc.components as any).securitySchemes, {
    OAuth2PasswordBearer: { type: "oauth2", flows: { password: { tokenUrl: "token", scopes: { "items:read": "Read the items." } } } },
  });
  assert.deepEqual(doc.paths["/users/me"]!.get.security, [{ OAuth2PasswordBearer: [] }]);
  assert.deepEqual(doc.paths["/items/"]!.get.security, [{ OAuth2PasswordBearer: ["items:read"] }]);
  assert.equal(doc.paths["/token"]!.post.security, undefined);
  const official = await officialSchemaErrors(doc);
  assert.ok(official.valid, JSON.stringify(official.errors));
  const problems = await redoclyProblems(doc);
  assert.deepEqual(problems, [], describeProblems(problems));
});
