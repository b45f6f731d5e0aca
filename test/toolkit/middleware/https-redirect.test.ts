import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Spry } from "spry";
import { httpsRedirect, type HttpsRedirectOptions } from "spry/middleware";
import { forEachTransport } from "../../support/transports.ts";

function redirectApp(options?: HttpsRedirectOptions): { app: Spry; reached: string[] } {
  const reached: string[] = [];
  const app = new Spry({ logger: false }).use(httpsRedirect(options));
  app.post("/orders", (_inputs, ctx) => (reached.push(ctx.path), "ordered"));
  return { app, reached };
}

const headers = (values: Record<string, string>) => ({ headers: values });

forEachTransport("httpsRedirect", (connect, transport) => {
  test("an http request gets 307 to the same URL on https; ports 80 and 443 are dropped", async () => {
    const { app, reached } = redirectApp();
    const client = connect(app);
    const cases: [string, string, string][] = [
      ["example.com", "/orders?id=7&x=%20", "https://example.com/orders?id=7&x=%20"],
      ["example.com:80", "/orders", "https://example.com/orders"],
      ["Example.COM:443", "/orders", "https://example.com/orders"],
      ["example.com:8080", "/orders", "https://example.com:8080/orders"],
      ["[::1]:8000", "/", "https://[::1]:8000/"],
      ["example.com", "//evil.example/x", "https://example.com//evil.example/x"],
      ["example.com", "/a%0D%0Ab", "https://example.com/a%0D%0Ab"],
    ];
    for (const [host, target, location] of cases) {
      const res = await client.post(target, { headers: { host }, body: "{}" });
      assert.equal(res.status, 307, target);
      assert.equal(res.headers.get("location"), location);
      assert.equal(await res.text(), "");
    }
    assert.deepEqual(reached, [], "no handler ran");
  });

  test("X-Forwarded-Proto is believed only with trustProxy, and then its last value", async () => {
    const untrusted = connect(redirectApp().app);
    assert.equal((await untrusted.post("/orders", headers({ host: "example.com", "x-forwarded-proto": "https" }))).status, 307);
    const { app, reached } = redirectApp({ trustProxy: true });
    const trusted = connect(app);
    assert.equal((await trusted.post("/orders", headers({ host: "example.com", "x-forwarded-proto": "HTTPS" }))).status, 200);
    assert.equal((await trusted.post("/orders", headers({ host: "example.com", "x-forwarded-proto": "http" }))).status, 307);
    assert.equal((await trusted.post("/orders", headers({ host: "example.com", "x-forwarded-proto": "https, http" }))).status, 307);
    assert.equal((await trusted.post("/orders", headers({ host: "example.com", "x-forwarded-proto": "http, https" }))).status, 200);
    assert.equal((await trusted.post("/orders", headers({ host: "example.com" }))).status, 307, "without the header, the socket decides");
    assert.deepEqual(reached, ["/orders", "/orders"]);
  });

  test("a malformed Host is a 400, never part of a Location", async () => {
    const client = connect(redirectApp().app);
    // The simulated node path cannot send an empty Host (it fills one in), nor the Fetch API CR or LF.
    const bad = ["evil.com/x", "user@evil.com", "example.com:port", ...(transport === "node" ? ["example.com\r\nset-cookie: a=b", "example.com\rx: y"] : [""])];
    for (const host of bad) {
      const res = await client.post("/orders", headers({ host }));
      assert.equal(res.status, 400, JSON.stringify(host));
      assert.equal(await res.text(), "Invalid host header");
      assert.equal(res.headers.get("location"), null);
      assert.equal(res.headers.get("set-cookie"), null);
    }
  });

  if (transport === "fetch") {
    test("a request whose URL is https passes", async () => {
      const { app, reached } = redirectApp();
      const res = await app.fetch(new Request("https://example.com/orders", { method: "POST" }));
      assert.equal(res.status, 200);
      assert.deepEqual(reached, ["/orders"]);
      const plain = await app.fetch(new Request("http://example.com/orders?x=1", { method: "POST" }));
      assert.equal(plain.headers.get("location"), "https://example.com/orders?x=1", "the URL's authority stands in for a missing Host");
    });
  }
});

test("node: a request that came over TLS passes", { skip: spawnSync("openssl", ["version"]).status !== 0 && "needs openssl" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "spry-tls-"));
  const { app, reached } = redirectApp();
  try {
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]);
    assert.equal(made.status, 0, made.stderr.toString());
    const server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, app.handleNode);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/orders", method: "POST", rejectUnauthorized: false, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(status, 200);
      assert.deepEqual(reached, ["/orders"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
