// The security utilities, FastAPI's fastapi.security: each scheme's credentials, its 401 and
// challenge, autoError, the OAuth2 password form's 422s, scopes along a dependency chain, and
// what the OpenAPI document says of them.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  APIKeyCookie,
  APIKeyHeader,
  APIKeyQuery,
  HTTPBasic,
  HTTPBearer,
  HTTPException,
  OAuth2PasswordBearer,
  OAuth2PasswordRequestForm,
  OAuth2PasswordRequestFormStrict,
  Spry,
  depends,
  security,
  securityScopes,
  type Dependency,
} from "spry";
import type { TestClient } from "spry/testing";
import { forEachTransport } from "../support/transports.ts";

const basic = (text: string) => `Basic ${Buffer.from(text, "latin1").toString("base64")}`;
const urlencoded = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});

/** Asserts FastAPI's answer to missing or bad credentials. */
async function assertRefused(res: Response, challenge: string): Promise<void> {
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), challenge);
  assert.deepEqual(await res.json(), { detail: "Not authenticated" });
}

/** An app whose every route answers with what its one scheme resolved to (null for undefined). */
function echo(routes: Record<string, Dependency<unknown>>): Spry {
  const app = new Spry({ logger: false });
  for (const [path, scheme] of Object.entries(routes)) app.get(path, { auth: scheme }, ({ auth }) => ({ auth: auth ?? null }));
  return app;
}

forEachTransport("security schemes", (connect) => {
  test("OAuth2PasswordBearer: the bearer token; none, another scheme or an empty token is a 401 Bearer", async () => {
    const oauth2 = OAuth2PasswordBearer({ tokenUrl: "token" });
    const client = connect(echo({ "/me": oauth2, "/maybe": OAuth2PasswordBearer({ tokenUrl: "token", autoError: false }) }));
    assert.deepEqual(await (await client.get("/me", { headers: { authorization: "Bearer abc.def" } })).json(), { auth: "abc.def" });
    assert.deepEqual(await (await client.get("/me", { headers: { authorization: "bearer lower" } })).json(), { auth: "lower" });
    await assertRefused(await client.get("/me"), "Bearer");
    await assertRefused(await client.get("/me", { headers: { authorization: basic("a:b") } }), "Bearer");
    await assertRefused(await client.get("/me", { headers: { authorization: "Bearer" } }), "Bearer");
    await assertRefused(await client.get("/me", { headers: { authorization: "Bearer " } }), "Bearer");
    assert.deepEqual(await (await client.get("/maybe")).json(), { auth: null });
    assert.deepEqual(await (await client.get("/maybe", { headers: { authorization: "Token x" } })).json(), { auth: null });
    assert.deepEqual(await (await client.get("/maybe", { headers: { authorization: "Bearer t" } })).json(), { auth: "t" });
  });

  test("HTTPBasic: username and password; 401 Basic with the realm for none, another scheme, bad base64, no colon", async () => {
    const client = connect(echo({
      "/plain": HTTPBasic(),
      "/realm": HTTPBasic({ realm: "simple" }),
      "/quoted": HTTPBasic({ realm: 'say "hi"' }),
      "/maybe": HTTPBasic({ autoError: false }),
    }));
    const ok = await client.get("/plain", { headers: { authorization: basic("john:se:cret") } });
    assert.deepEqual(await ok.json(), { auth: { username: "john", password: "se:cret" } }, "split at the first colon");
    assert.deepEqual(await (await client.get("/plain", { headers: { authorization: basic(":") } })).json(), { auth: { username: "", password: "" } });
    await assertRefused(await client.get("/plain"), "Basic");
    await assertRefused(await client.get("/realm"), 'Basic realm="simple"');
    await assertRefused(await client.get("/quoted"), 'Basic realm="say \\"hi\\""');
    await assertRefused(await client.get("/realm", { headers: { authorization: "Bearer abc" } }), 'Basic realm="simple"');
    await assertRefused(await client.get("/realm", { headers: { authorization: "Basic not-base64!" } }), 'Basic realm="simple"');
    await assertRefused(await client.get("/realm", { headers: { authorization: "Basic am9obg" } }), 'Basic realm="simple"'); // unpadded
    await assertRefused(await client.get("/realm", { headers: { authorization: basic("no colon") } }), 'Basic realm="simple"');
    await assertRefused(await client.get("/realm", { headers: { authorization: basic("jos\u00e9:pw") } }), 'Basic realm="simple"'); // not ASCII
    assert.deepEqual(await (await client.get("/maybe")).json(), { auth: null });
    assert.deepEqual(await (await client.get("/maybe", { headers: { authorization: "Bearer x" } })).json(), { auth: null });
    // Basic credentials that cannot be read are refused even with autoError false, as in FastAPI.
    await assertRefused(await client.get("/maybe", { headers: { authorization: "Basic %%%" } }), "Basic");
  });

  test("HTTPBearer: scheme and credentials as sent; none, no token or another scheme is a 401 Bearer", async () => {
    const client = connect(echo({ "/me": HTTPBearer(), "/maybe": HTTPBearer({ autoError: false }) }));
    const ok = await client.get("/me", { headers: { authorization: "BEARER tok en" } });
    assert.deepEqual(await ok.json(), { auth: { scheme: "BEARER", credentials: "tok en" } });
    await assertRefused(await client.get("/me"), "Bearer");
    await assertRefused(await client.get("/me", { headers: { authorization: "Bearer" } }), "Bearer");
    await assertRefused(await client.get("/me", { headers: { authorization: basic("a:b") } }), "Bearer");
    assert.deepEqual(await (await client.get("/maybe", { headers: { authorization: basic("a:b") } })).json(), { auth: null });
    assert.deepEqual(await (await client.get("/maybe")).json(), { auth: null });
  });

  test("API keys from a header, the query string or a cookie; missing or empty is a 401 APIKey", async () => {
    const client = connect(echo({
      "/header": APIKeyHeader({ name: "X-API-Key" }),
      "/query": APIKeyQuery({ name: "api_key" }),
      "/cookie": APIKeyCookie({ name: "session" }),
      "/maybe": APIKeyHeader({ name: "X-API-Key", autoError: false }),
    }));
    assert.deepEqual(await (await client.get("/header", { headers: { "x-api-key": "k1" } })).json(), { auth: "k1" });
    assert.deepEqual(await (await client.get("/query?api_key=k2")).json(), { auth: "k2" });
    assert.deepEqual(await (await client.get("/query?api_key=first&api_key=last")).json(), { auth: "last" });
    assert.deepEqual(await (await client.get("/cookie", { cookies: { session: "k3" } })).json(), { auth: "k3" });
    for (const refused of [
      await client.get("/header"),
      await client.get("/header", { headers: { "x-api-key": "" } }),
      await client.get("/query"),
      await client.get("/query?api_key="),
      await client.get("/query?other=k"),
      await client.get("/cookie"),
      await client.get("/cookie", { cookies: { other: "k" } }),
    ]) {
      await assertRefused(refused, "APIKey");
    }
    assert.deepEqual(await (await client.get("/maybe")).json(), { auth: null });
  });

  test("a scheme inside a dependency: the route answers 401 and neither the dependency nor the handler runs", async () => {
    const ran: string[] = [];
    const currentUser = depends({ token: OAuth2PasswordBearer({ tokenUrl: "token" }) }, ({ token }) => (ran.push("user"), { name: token }));
    const app = new Spry({ logger: false });
    app.get("/me", { user: currentUser }, ({ user }) => (ran.push("handler"), user));
    const client = connect(app);
    await assertRefused(await client.get("/me"), "Bearer");
    assert.deepEqual(ran, []);
    assert.deepEqual(await (await client.get("/me", { headers: { authorization: "Bearer ann" } })).json(), { name: "ann" });
  });
});

forEachTransport("OAuth2PasswordRequestForm", (connect) => {
  const app = new Spry({ logger: false });
  app.post("/token", { form: OAuth2PasswordRequestForm }, ({ form }) => form);
  app.post("/strict", { form: OAuth2PasswordRequestFormStrict }, ({ form }) => form);
  const client = (): TestClient => connect(app);
  const locs = async (res: Response) => (await res.json()).detail.map((e: { type: string; loc: unknown[] }) => [e.type, ...e.loc]);

  test("reads every field, splits scope at whitespace, leaves the optional ones out", async () => {
    const full = await client().post("/token", urlencoded({
      grant_type: "password", username: "johndoe", password: "secret", scope: " items:read  me\tprofile ",
      client_id: "app", client_secret: "shh",
    }));
    assert.deepEqual(await full.json(), {
      grant_type: "password", username: "johndoe", password: "secret", scopes: ["items:read", "me", "profile"],
      client_id: "app", client_secret: "shh",
    });
    const least = await client().post("/token", urlencoded({ username: "a", password: "b" }));
    assert.deepEqual(await least.json(), { username: "a", password: "b", scopes: [] });
  });

  test("422s: missing username and password, an empty field, grant_type other than password", async () => {
    const none = await client().post("/token", urlencoded({}));
    assert.equal(none.status, 422);
    assert.deepEqual(await none.json(), { detail: [
      { type: "missing", loc: ["body", "username"], msg: "Field required", input: null },
      { type: "missing", loc: ["body", "password"], msg: "Field required", input: null },
    ] });
    // An empty field counts as missing, as in FastAPI.
    assert.deepEqual(await locs(await client().post("/token", urlencoded({ username: "", password: "x" }))), [["missing", "body", "username"]]);
    const wrong = await client().post("/token", urlencoded({ grant_type: "client_credentials", username: "a", password: "b" }));
    assert.equal(wrong.status, 422);
    assert.deepEqual((await wrong.json()).detail, [{
      type: "string_pattern_mismatch", loc: ["body", "grant_type"], msg: "String should match pattern '^password$'",
      input: "client_credentials", ctx: { pattern: "^password$" },
    }]);
  });

  test("the strict form requires grant_type=password", async () => {
    assert.deepEqual(await locs(await client().post("/strict", urlencoded({ username: "a", password: "b" }))), [["missing", "body", "grant_type"]]);
    assert.deepEqual(await locs(await client().post("/strict", urlencoded({ grant_type: "passwords", username: "a", password: "b" }))), [
      ["string_pattern_mismatch", "body", "grant_type"],
    ]);
    const ok = await client().post("/strict", urlencoded({ grant_type: "password", username: "a", password: "b" }));
    assert.deepEqual(await ok.json(), { grant_type: "password", username: "a", password: "b", scopes: [] });
  });
});

forEachTransport("scopes", (connect) => {
  // FastAPI's tutorial: tokens carry scopes; currentUser checks those required along the chain.
  const granted: Record<string, string[]> = { alice: ["me", "items"], bob: ["me"] };
  const oauth2 = OAuth2PasswordBearer({ tokenUrl: "token", scopes: { me: "Read yourself", items: "Read items" } });
  let dbOpened = 0;
  const db = depends(() => ++dbOpened);
  const currentUser = depends({ required: securityScopes, token: oauth2, db }, ({ required, token }) => {
    const challenge = required.scopes.length === 0 ? "Bearer" : `Bearer scope="${required.scopeStr}"`;
    const scopes = granted[token];
    if (scopes === undefined) throw new HTTPException(401, "Could not validate credentials", { "WWW-Authenticate": challenge });
    for (const scope of required.scopes) {
      if (!scopes.includes(scope)) throw new HTTPException(401, "Not enough permissions", { "WWW-Authenticate": challenge });
    }
    return { name: token, required: required.scopes };
  });
  const activeUser = depends({ user: security(currentUser, { scopes: ["me"] }) }, ({ user }) => user);

  const app = new Spry({ logger: false });
  app.get("/users/me", { user: activeUser }, ({ user }) => user);
  app.get("/items/", { user: security(activeUser, { scopes: ["items"] }) }, ({ user }) => user);
  app.get("/status", { user: currentUser }, ({ user }) => user);
  app.get("/both", { a: security(currentUser, { scopes: ["me"] }), b: currentUser, db }, ({ a, b, db }) => ({ a, b, db }));
  app.get("/admin", () => "ok", { dependencies: [security(currentUser, { scopes: ["admin"] })] });
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  test("a dependency receives the scopes required along the whole chain, the route's first", async () => {
    const client = connect(app);
    assert.deepEqual(await (await client.get("/status", as("bob"))).json(), { name: "bob", required: [] });
    assert.deepEqual(await (await client.get("/users/me", as("bob"))).json(), { name: "bob", required: ["me"] });
    assert.deepEqual(await (await client.get("/items/", as("alice"))).json(), { name: "alice", required: ["items", "me"] });
  });

  test("a token without a required scope is refused with 401 and the scopes in the challenge", async () => {
    const client = connect(app);
    const refused = await client.get("/items/", as("bob"));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get("www-authenticate"), 'Bearer scope="items me"');
    assert.deepEqual(await refused.json(), { detail: "Not enough permissions" });
    const unknown = await client.get("/users/me", as("eve"));
    assert.equal(unknown.headers.get("www-authenticate"), 'Bearer scope="me"');
    await assertRefused(await client.get("/items/"), "Bearer");
    assert.equal((await client.get("/admin", as("alice"))).status, 401, "scopes in dependencies count too");
  });

  test("one dependency under two scope sets runs once per set; what ignores scopes still runs once", async () => {
    const before = dbOpened;
    const res = await connect(app).get("/both", as("alice"));
    assert.deepEqual(await res.json(), {
      a: { name: "alice", required: ["me"] },
      b: { name: "alice", required: [] },
      db: before + 1,
    });
    assert.equal(dbOpened, before + 1);
  });

  test("an override replaces the dependency and keeps the scopes of its uses", async () => {
    const local = new Spry({ logger: false });
    const seen = depends({ required: securityScopes }, ({ required }) => required.scopeStr);
    local.get("/x", { s: security(seen, { scopes: ["a", "b"] }) }, ({ s }) => s);
    local.dependencyOverrides.set(seen, depends({ required: securityScopes }, ({ required }) => `override: ${required.scopeStr}`));
    assert.equal(await (await connect(local).get("/x")).json(), "override: a b");
  });
});

test("OpenAPI: each scheme in components.securitySchemes, each operation's security with its scopes", () => {
  const oauth2 = OAuth2PasswordBearer({ tokenUrl: "token", refreshUrl: "refresh", scopes: { "items:read": "Read items" }, description: "Log in" });
  const currentUser = depends({ token: oauth2, required: securityScopes }, ({ token }) => token);
  const app = new Spry({ logger: false });
  app.post("/token", { form: OAuth2PasswordRequestForm }, ({ form }) => form.username);
  app.get("/users/me", { user: currentUser }, ({ user }) => user);
  app.get("/items/", { user: security(currentUser, { scopes: ["items:read"] }) }, ({ user }) => user);
  app.get("/basic", { c: HTTPBasic({ realm: "r" }) }, () => null);
  app.get("/bearer", { c: HTTPBearer({ bearerFormat: "JWT" }) }, () => null);
  app.get("/keys", {
    h: APIKeyHeader({ name: "X-Key" }),
    q: APIKeyQuery({ name: "key", schemeName: "QueryKey" }),
    c: APIKeyCookie({ name: "sid", autoError: false }),
  }, () => null);
  app.get("/open", () => null);
  const doc = app.openapi();
  const components = doc.components as any;
  assert.deepEqual(components.securitySchemes, {
    OAuth2PasswordBearer: {
      type: "oauth2",
      flows: { password: { tokenUrl: "token", refreshUrl: "refresh", scopes: { "items:read": "Read items" } } },
      description: "Log in",
    },
    HTTPBasic: { type: "http", scheme: "basic" },
    HTTPBearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
    APIKeyHeader: { type: "apiKey", in: "header", name: "X-Key" },
    QueryKey: { type: "apiKey", in: "query", name: "key" },
    APIKeyCookie: { type: "apiKey", in: "cookie", name: "sid" },
  });
  assert.deepEqual(doc.paths["/users/me"].get.security, [{ OAuth2PasswordBearer: [] }]);
  assert.deepEqual(doc.paths["/items/"].get.security, [{ OAuth2PasswordBearer: ["items:read"] }]);
  assert.deepEqual(doc.paths["/basic"].get.security, [{ HTTPBasic: [] }]);
  assert.deepEqual(doc.paths["/bearer"].get.security, [{ HTTPBearer: [] }]);
  assert.deepEqual(doc.paths["/keys"].get.security, [{ APIKeyHeader: [] }, { QueryKey: [] }, { APIKeyCookie: [] }]);
  assert.equal(doc.paths["/open"].get.security, undefined);
  assert.equal(doc.paths["/token"].post.security, undefined);
  // The scheme stands for its header, query key or cookie: none is a parameter, none can fail
  // validation, so such routes have no 422.
  assert.equal(doc.paths["/keys"].get.parameters, undefined);
  assert.deepEqual(Object.keys(doc.paths["/users/me"].get.responses), ["200"]);
  const form = doc.paths["/token"].post.requestBody.content["application/x-www-form-urlencoded"].schema;
  assert.deepEqual(form.required, ["username", "password"]);
  assert.deepEqual(form.properties.password, { type: "string", format: "password" });
  assert.deepEqual(form.properties.grant_type, { type: "string", pattern: "^password$" });
});

test("OpenAPI: two different schemes under one name are an error that says how to fix it", () => {
  const app = new Spry({ logger: false });
  app.get("/a", { k: APIKeyHeader({ name: "X-A" }) }, () => null);
  app.get("/b", { k: APIKeyHeader({ name: "X-B" }) }, () => null);
  assert.throws(() => app.openapi(), /Two different security schemes are named "APIKeyHeader".*schemeName/);
  const same = new Spry({ logger: false });
  same.get("/a", { k: HTTPBasic({ realm: "one" }) }, () => null);
  same.get("/b", { k: HTTPBasic({ realm: "two" }) }, () => null);
  assert.deepEqual((same.openapi().components as any).securitySchemes, { HTTPBasic: { type: "http", scheme: "basic" } });
});
