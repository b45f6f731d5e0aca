// docs/examples/middleware.ts does what docs/middleware.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import app from "../../docs/examples/middleware.ts";
import { TestServer } from "../support/server.ts";
import { forEachTransport } from "../support/transports.ts";

const SITE = "https://app.example.com";
const TIMING = /^app;dur=\d+\.\d$/;

forEachTransport("docs/examples/middleware.ts", (connect) => {
  const client = connect(app);

  test("a browser request from the app's site: compressed, CORS headers, Server-Timing", async () => {
    const res = await client.get("/items", { headers: { host: "api.example.com", origin: SITE, cookie: "s=1", "accept-encoding": "gzip" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-encoding"), "gzip");
    const items = JSON.parse(gunzipSync(new Uint8Array(await res.arrayBuffer())).toString());
    assert.equal(items.length, 50);
    assert.deepEqual(items[7], { id: 7, name: "Item 7" });
    assert.equal(res.headers.get("access-control-allow-origin"), SITE);
    assert.equal(res.headers.get("access-control-allow-credentials"), "true");
    assert.equal(res.headers.get("access-control-expose-headers"), "server-timing");
    // compress's hook runs first, being the inner layer; cors's adds to its Vary.
    assert.equal(res.headers.get("vary"), "Accept-Encoding, Origin");
    assert.match(res.headers.get("server-timing") ?? "", TIMING);
  });

  test("a small answer is not compressed; errors get CORS and timing too", async () => {
    const one = await client.get("/items/3", { headers: { host: "example.com", origin: SITE, "accept-encoding": "gzip" } });
    assert.equal(one.headers.get("content-encoding"), null);
    assert.deepEqual(await one.json(), { id: 3, name: "Item 3" });
    const missing = await client.get("/items/99", { headers: { host: "example.com", origin: SITE } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("access-control-allow-origin"), SITE);
    assert.match(missing.headers.get("server-timing") ?? "", TIMING);
  });

  test("a preflight is answered by cors, inside trustedHost and timing", async () => {
    const headers = { host: "example.com", origin: SITE, "access-control-request-method": "POST", "access-control-request-headers": "authorization" };
    const res = await client.options("/items", { headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-methods"), "GET, POST");
    assert.equal(res.headers.get("access-control-allow-headers"), "accept, accept-language, authorization, content-language, content-type");
    assert.match(res.headers.get("server-timing") ?? "", TIMING);
    const foreign = await client.options("/items", { headers: { ...headers, origin: "https://evil.example.net" } });
    assert.equal(foreign.status, 400);
    assert.equal(await foreign.text(), "Disallowed CORS origin");
  });

  test("another Host is refused before cors or routing, still timed", async () => {
    const res = await client.get("/items", { headers: { host: "evil.example.net", origin: SITE } });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), "Invalid host header");
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    assert.match(res.headers.get("server-timing") ?? "", TIMING);
  });
});

test("served on 127.0.0.1, as `spry run` would, it answers its own address", async () => {
  const server = await TestServer.start(app);
  try {
    const res = await server.get("/items/1");
    assert.equal(res.status, 200);
    assert.equal(res.body, '{"id":1,"name":"Item 1"}');
  } finally {
    await server.close();
  }
});
