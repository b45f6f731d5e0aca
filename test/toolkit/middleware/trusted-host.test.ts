import assert from "node:assert/strict";
import { test } from "node:test";
import { Spry } from "spry";
import { trustedHost, type TrustedHostOptions } from "spry/middleware";
import { forEachTransport } from "../../support/transports.ts";

function hostApp(options: TrustedHostOptions): { app: Spry; reached: string[] } {
  const reached: string[] = [];
  const app = new Spry({ logger: false }).use(trustedHost(options));
  app.get("/where", (_inputs, ctx) => (reached.push(ctx.header("host") ?? ""), "here"));
  return { app, reached };
}

const host = (value: string) => ({ headers: { host: value } });

test("a wildcard anywhere but the whole first label is refused when the middleware is built", () => {
  for (const pattern of ["example.*", "*example.com", "a.*.example.com", "**.example.com"]) {
    assert.throws(() => trustedHost({ allowedHosts: [pattern] }), /a wildcard must be the whole first label/, pattern);
  }
  assert.doesNotThrow(() => trustedHost({ allowedHosts: ["*", "*.example.com", "example.com"] }));
});

forEachTransport("trustedHost", (connect, transport) => {
  test("allowed hosts pass, with or without a port and in any case; subdomains only by wildcard", async () => {
    const { app, reached } = hostApp({ allowedHosts: ["example.com", "*.example.org", "[::1]", "127.0.0.1"] });
    const client = connect(app);
    for (const value of ["example.com", "example.com:8000", "EXAMPLE.com", "a.example.org", "a.b.example.org:443", "[::1]:8000", "127.0.0.1"]) {
      const res = await client.get("/where", host(value));
      assert.equal(res.status, 200, value);
      assert.equal(await res.text(), '"here"');
    }
    assert.equal(reached.length, 7);
  });

  test('any other Host is a 400 "Invalid host header" before routing', async () => {
    const { app, reached } = hostApp({ allowedHosts: ["example.com", "*.example.org"] });
    const client = connect(app);
    const refused = ["evil.com", "example.org", "example.com.evil.com", "evilexample.org", "example.com:abc", "example.com:80:80", "user@example.com", "example.com/x", ""];
    for (const value of refused) {
      const res = await client.get("/where", host(value));
      assert.equal(res.status, 400, JSON.stringify(value));
      assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await res.text(), "Invalid host header");
    }
    assert.equal((await client.get("/nowhere", host("evil.com"))).status, 400, "before the 404");
    assert.deepEqual(reached, []);
  });

  test("example.com redirects to www.example.com when only www is allowed, keeping port, path and query", async () => {
    const { app } = hostApp({ allowedHosts: ["www.example.com"] });
    const client = connect(app);
    const res = await client.get("/where?x=1&y=%20", host("example.com:8080"));
    assert.equal(res.status, 307);
    assert.equal(res.headers.get("location"), "http://www.example.com:8080/where?x=1&y=%20");
    assert.equal(await res.text(), "");
    assert.equal((await client.get("/where", host("www.example.com"))).status, 200);
    assert.equal((await client.get("/where", host("evil.com"))).status, 400);
    const off = connect(hostApp({ allowedHosts: ["www.example.com"], wwwRedirect: false }).app);
    assert.equal((await off.get("/where", host("example.com"))).status, 400);
    const wildcard = connect(hostApp({ allowedHosts: ["*.example.com"] }).app);
    assert.equal((await wildcard.get("/where", host("example.com"))).status, 400, "only an exact www pattern redirects, as Starlette");
  });

  test("the default, and a [*] in the list, allow every host", async () => {
    for (const options of [{}, { allowedHosts: ["example.com", "*"] }]) {
      const client = connect(hostApp(options).app);
      assert.equal((await client.get("/where", host("anything.invalid"))).status, 200);
    }
  });

  if (transport === "node") {
    // Only the simulated node path can carry these: real sockets and the Fetch API refuse them
    // before the app (header-injection.test.ts sends them over a socket).
    test("a Host with CR or LF is refused, and nothing of it reaches a header", async () => {
      const { app, reached } = hostApp({ allowedHosts: ["www.example.com"] });
      const client = connect(app);
      for (const value of ["example.com\r\nx-evil: 1", "example.com:80\r\nx-evil: 1", "example.com\rx-evil: 1", "www.example.com\nx-evil: 1"]) {
        const res = await client.get("/where", host(value));
        assert.equal(res.status, 400, JSON.stringify(value));
        assert.equal(res.headers.get("location"), null);
        assert.equal(res.headers.get("x-evil"), null);
      }
      assert.deepEqual(reached, []);
    });
  }
});
