// rootPath (spry run --root-path): an app served under a prefix that its proxy strips, as
// FastAPI's root_path. Compared with FastAPI 0.142 under `uvicorn --root-path /api`: routes match
// without the prefix (the prefixed path is a 404), redirect_slashes sends the client back through
// the prefix, the docs load /api/openapi.json, and the document lists {"url": "/api"} first.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { Spry } from "spry";
import { TestClient } from "spry/testing";

function app(options: ConstructorParameters<typeof Spry>[0] = {}) {
  const spry = new Spry({ logger: false, rootPath: "/api", ...options });
  spry.get("/items/{id}", () => ({ ok: true }));
  spry.get("/slash/", () => ({ ok: true }));
  return spry;
}

describe("rootPath", () => {
  test("routes match without the prefix; the prefixed path is not a route", async () => {
    const client = new TestClient(app());
    assert.equal((await client.get("/items/1")).status, 200);
    assert.equal((await client.get("/api/items/1")).status, 404);
  });

  test("ctx.rootPath is the prefix, on both transports; a mount below it adds its own", async () => {
    const spry = app();
    spry.get("/where", (_, ctx) => ({ rootPath: ctx.rootPath }));
    const inner = new Spry({ logger: false });
    inner.get("/where", (_, ctx) => ({ rootPath: ctx.rootPath }));
    spry.mount("/v2", inner);
    for (const transport of ["node", "fetch"] as const) {
      const client = new TestClient(spry, { transport });
      assert.deepEqual(await (await client.get("/where")).json(), { rootPath: "/api" });
      assert.deepEqual(await (await client.get("/v2/where")).json(), { rootPath: "/api/v2" });
    }
    assert.deepEqual(await (await new TestClient(inner).get("/where")).json(), { rootPath: "" });
  });

  test("redirect_slashes sends the client back through the prefix", async () => {
    const response = await new TestClient(app()).get("/slash?q=1");
    assert.equal(response.status, 307);
    assert.equal(response.headers.get("location"), "/api/slash/?q=1");
  });

  test("the OpenAPI document lists the root path first among its servers", () => {
    assert.deepEqual(app().openapi().servers, [{ url: "/api" }]);
    assert.deepEqual(app({ servers: [{ url: "https://api.example" }] }).openapi().servers, [{ url: "/api" }, { url: "https://api.example" }]);
    assert.equal(new Spry({ logger: false }).openapi().servers, undefined);
  });

  test("the docs pages load the document and their files through the prefix", async () => {
    const client = new TestClient(app());
    const swagger = await (await client.get("/docs")).text();
    assert.match(swagger, /url: "\/api\/openapi\.json"/);
    assert.match(swagger, /src="\/api\/docs\/swagger-ui-bundle\.js"/);
    assert.match(swagger, /"\/api\/docs\/oauth2-redirect\.html"/);
    assert.match(await (await client.get("/redoc")).text(), /spec-url="\/api\/openapi\.json"/);
    assert.equal((await client.get("/openapi.json")).status, 200);
  });

  test("below a mount, a redirect and the OpenAPI servers go through the prefix and the mount, even for an app given a root path of its own", async () => {
    // As under spry run --root-path /api, whose SPRY_ROOT_PATH every app in the process reads.
    const sub = new Spry({ logger: false, rootPath: "/api" });
    sub.get("/items/", () => ["x"]);
    const outer = app();
    outer.mount("/v2", sub);
    const client = new TestClient(outer);
    const redirect = await client.get("/v2/items?q=1");
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers.get("location"), "/api/v2/items/?q=1");
    assert.deepEqual((await (await client.get("/v2/openapi.json")).json()).servers, [{ url: "/api/v2" }]);
    assert.deepEqual(sub.openapi().servers, [{ url: "/api" }], "the app's own document is unchanged");
  });

  test("a trailing slash is dropped; a path without a leading slash is refused", () => {
    assert.equal(new Spry({ logger: false, rootPath: "/api/v1/" }).rootPath, "/api/v1");
    assert.throws(() => new Spry({ logger: false, rootPath: "api" }), /rootPath must be a path such as \/api\/v1, got "api"/);
  });

  test("SPRY_ROOT_PATH (set by spry run --root-path) applies to an app that sets none", () => {
    const script = 'import("spry").then(({ Spry }) => console.log(new Spry({ logger: false }).rootPath))';
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { env: { ...process.env, SPRY_ROOT_PATH: "/v2" }, encoding: "utf8" });
    assert.equal(out.trim(), "/v2");
  });
});
