// What the server establishes about a request, read from the request object itself: its id,
// the client and scheme a trusted proxy named, the Host it gave, and the URL they make.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Spry } from "spry";
import type { ServeOptions } from "spry/server";
import { TestClient } from "spry/testing";
import { TestServer } from "../support/server.ts";

const app = new Spry({ logger: false });
app.get("/facts", {}, (_, ctx) => ({ requestId: ctx.requestId ?? null, client: ctx.client ?? null, scheme: ctx.scheme, authority: ctx.authority ?? null, url: ctx.url.href }));

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function facts(options: ServeOptions, headers: Record<string, string> = {}) {
  const srv = await TestServer.start(app, options);
  servers.push(srv);
  const response = await srv.get("/facts", headers);
  assert.equal(response.status, 200);
  return { body: JSON.parse(response.body) as { requestId: string | null; client: { address: string; port: number } | null; scheme: string; authority: string | null; url: string }, headers: response.headers, port: srv.port };
}

describe("the request's facts under spry's server", () => {
  test("ctx.requestId is the id in the response's X-Request-ID", async () => {
    const { body, headers } = await facts({});
    assert.match(body.requestId ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(body.requestId, headers["x-request-id"]);
    assert.equal((await facts({}, { "x-request-id": "edge-7" })).body.requestId, "edge-7", "a trusted peer's own id is kept");
  });

  test("without proxy headers: the socket's peer, http, the Host header", async () => {
    const { body, port } = await facts({});
    assert.equal(body.client?.address, "127.0.0.1");
    assert.ok(body.client!.port > 0);
    assert.equal(body.scheme, "http");
    assert.equal(body.authority, `127.0.0.1:${port}`);
    assert.equal(body.url, `http://127.0.0.1:${port}/facts`);
  });

  test("from a trusted proxy: the client, scheme and host it named, in ctx.url too", async () => {
    const { body } = await facts({}, { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "shop.example" });
    assert.deepEqual({ client: body.client, scheme: body.scheme, authority: body.authority, url: body.url }, { client: { address: "203.0.113.7", port: 0 }, scheme: "https", authority: "shop.example", url: "https://shop.example/facts" });
  });

  test("from an untrusted peer, or with proxy headers off, the forwarded headers are not believed", async () => {
    const forwarded = { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" };
    for (const options of [{ forwardedAllowIps: "10.0.0.1" }, { proxyHeaders: false }] as ServeOptions[]) {
      const { body } = await facts(options, forwarded);
      assert.equal(body.client?.address, "127.0.0.1");
      assert.equal(body.scheme, "http");
    }
  });
});

test("without spry's server (the TestClient, a Fetch host) there is no request id", async () => {
  for (const transport of ["node", "fetch"] as const) {
    const response = await new TestClient(app, { transport }).get("/facts");
    assert.equal(((await response.json()) as { requestId: unknown }).requestId, null);
  }
});
