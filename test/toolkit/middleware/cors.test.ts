import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException, Spry } from "spry";
import { cors, type CorsOptions } from "spry/middleware";
import { forEachTransport } from "../../support/transports.ts";

const SITE = "https://app.example.com";
const EVIL = "https://evil.example.net";

function corsApp(options?: CorsOptions): { app: Spry; reached: string[] } {
  const reached: string[] = [];
  const app = new Spry({ logger: false });
  if (options !== undefined) app.use(cors(options));
  app.get("/items", () => (reached.push("GET /items"), [1, 2]));
  app.post("/items", () => (reached.push("POST /items"), "created"));
  app.get("/teapot", () => {
    throw new HTTPException(418, "I'm a teapot");
  });
  app.get("/varies", () => new Response("x", { headers: { vary: "Accept-Language", "x-total": "2" } }));
  return { app, reached };
}

function preflight(origin: string, method: string, headers?: string): { headers: Record<string, string> } {
  return {
    headers: {
      origin,
      "access-control-request-method": method,
      ...(headers === undefined ? {} : { "access-control-request-headers": headers }),
    },
  };
}

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((name) => name.startsWith("access-control-"));

test("allowOrigins [*] or [null] with allowCredentials is refused when the middleware is built", () => {
  assert.throws(() => cors({ allowOrigins: ["*"], allowCredentials: true }), /allowOrigins "\*" with allowCredentials/);
  assert.throws(() => cors({ allowOrigins: [SITE, "null"], allowCredentials: true }), /allowOrigins "null" with allowCredentials/);
  assert.doesNotThrow(() => cors({ allowOrigins: ["*"] }));
  assert.doesNotThrow(() => cors({ allowOrigins: [SITE], allowCredentials: true }));
});

forEachTransport("cors", (connect) => {
  test("without cors() no response carries a CORS header, preflights included (row 20)", async () => {
    const { app } = corsApp();
    const client = connect(app);
    const simple = await client.get("/items", { headers: { origin: SITE, cookie: "s=1" } });
    assert.equal(simple.status, 200);
    assert.deepEqual(corsHeaders(simple), []);
    const pre = await client.options("/items", preflight(SITE, "GET"));
    assert.equal(pre.status, 405);
    assert.deepEqual(corsHeaders(pre), []);
  });

  test("cors() with no options allows no origin", async () => {
    const { app } = corsApp({});
    const client = connect(app);
    assert.deepEqual(corsHeaders(await client.get("/items", { headers: { origin: SITE } })), []);
    const pre = await client.options("/items", preflight(SITE, "GET"));
    assert.equal(pre.status, 400);
    assert.equal(await pre.text(), "Disallowed CORS origin");
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
  });

  test("a preflight from an allowed origin is answered 200 here, with the allow headers, before routing", async () => {
    const { app, reached } = corsApp({ allowOrigins: [SITE], allowMethods: ["GET", "post"], allowHeaders: ["X-Token"], maxAge: 60 });
    const res = await connect(app).options("/items", preflight(SITE, "POST", "content-type, x-token"));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "OK");
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(res.headers.get("access-control-allow-origin"), SITE);
    assert.equal(res.headers.get("vary"), "Origin");
    assert.equal(res.headers.get("access-control-allow-methods"), "GET, POST");
    assert.equal(res.headers.get("access-control-allow-headers"), "accept, accept-language, content-language, content-type, x-token");
    assert.equal(res.headers.get("access-control-max-age"), "60");
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
    assert.deepEqual(reached, []);
    const unrouted = await connect(corsApp({ allowOrigins: [SITE] }).app).options("/nowhere", preflight(SITE, "GET"));
    assert.equal(unrouted.status, 200, "a preflight needs no route");
    assert.equal(unrouted.headers.get("access-control-max-age"), "600", "the default max age");
  });

  test("a refused preflight is a 400 naming what was refused", async () => {
    const { app } = corsApp({ allowOrigins: [SITE], allowHeaders: ["x-token"] });
    const client = connect(app);
    const cases: [string, string, string | undefined, string][] = [
      [EVIL, "GET", undefined, "Disallowed CORS origin"],
      [SITE, "DELETE", undefined, "Disallowed CORS method"],
      [SITE, "GET", "x-token, x-other", "Disallowed CORS headers"],
      [EVIL, "PUT", "x-other", "Disallowed CORS origin, method, headers"],
    ];
    for (const [origin, method, headers, text] of cases) {
      const res = await client.options("/items", preflight(origin, method, headers));
      assert.equal(res.status, 400, text);
      assert.equal(await res.text(), text);
      assert.equal(res.headers.get("access-control-allow-origin"), origin === SITE ? SITE : null);
    }
  });

  test('"*" allows every method, and every requested header, echoed', async () => {
    const { app } = corsApp({ allowOrigins: [SITE], allowMethods: ["*"], allowHeaders: ["*"] });
    const res = await connect(app).options("/items", preflight(SITE, "PATCH", "X-Anything, X-Else"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-methods"), "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    assert.equal(res.headers.get("access-control-allow-headers"), "X-Anything, X-Else");
  });

  test("an allowed origin's requests get Allow-Origin, Vary: Origin and the exposed headers, on errors too", async () => {
    const { app } = corsApp({ allowOrigins: [SITE], exposeHeaders: ["x-total", "x-page"] });
    const client = connect(app);
    for (const [path, status] of [["/items", 200], ["/teapot", 418], ["/missing", 404]] as const) {
      const res = await client.get(path, { headers: { origin: SITE } });
      assert.equal(res.status, status);
      assert.equal(res.headers.get("access-control-allow-origin"), SITE, path);
      assert.equal(res.headers.get("access-control-expose-headers"), "x-total, x-page");
      assert.equal(res.headers.get("vary"), "Origin");
      assert.equal(res.headers.get("access-control-allow-credentials"), null);
    }
    const varies = await client.get("/varies", { headers: { origin: SITE } });
    assert.equal(varies.headers.get("vary"), "Accept-Language, Origin", "added to the handler's Vary");
    const options = await client.options("/items", { headers: { origin: SITE } });
    assert.equal(options.status, 405, "OPTIONS without Access-Control-Request-Method is not a preflight");
    assert.equal(options.headers.get("access-control-allow-origin"), SITE);
  });

  test("a foreign origin gets no CORS header but Vary: Origin, and the handler still runs", async () => {
    const { app, reached } = corsApp({ allowOrigins: [SITE] });
    const client = connect(app);
    const res = await client.post("/items", { headers: { origin: EVIL } });
    assert.equal(res.status, 200);
    assert.deepEqual(corsHeaders(res), []);
    assert.equal(res.headers.get("vary"), "Origin");
    assert.deepEqual(reached, ["POST /items"], "CORS is enforced by browsers; a simple request is not refused");
    const none = await client.get("/items");
    assert.deepEqual(corsHeaders(none), []);
    assert.equal(none.headers.get("vary"), "Origin", "so a cache never serves it to an allowed origin");
  });

  test('allowOrigins ["*"] sends "*" without Vary, and echoes the origin to requests with cookies, as Starlette', async () => {
    const { app } = corsApp({ allowOrigins: ["*"] });
    const client = connect(app);
    const res = await client.get("/items", { headers: { origin: EVIL } });
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.equal(res.headers.get("vary"), null);
    const withCookie = await client.get("/items", { headers: { origin: EVIL, cookie: "s=1" } });
    assert.equal(withCookie.headers.get("access-control-allow-origin"), EVIL);
    assert.equal(withCookie.headers.get("vary"), "Origin");
    assert.equal(withCookie.headers.get("access-control-allow-credentials"), null, "so the browser still shares nothing credentialed");
    const pre = await client.options("/items", preflight("null", "GET"));
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.equal(pre.headers.get("vary"), null);
  });

  test("with credentials: only allowed origins are echoed, never *, null or a foreign origin (row 20)", async () => {
    const { app } = corsApp({ allowOrigins: [SITE], allowOriginRegex: "https://.*\\.example\\.org", allowCredentials: true });
    const client = connect(app);
    for (const origin of [SITE, "https://a.example.org", "https://b.c.example.org"]) {
      const res = await client.get("/items", { headers: { origin, cookie: "s=1" } });
      assert.equal(res.headers.get("access-control-allow-origin"), origin);
      assert.equal(res.headers.get("access-control-allow-credentials"), "true");
      const pre = await client.options("/items", preflight(origin, "GET"));
      assert.equal(pre.status, 200);
      assert.equal(pre.headers.get("access-control-allow-origin"), origin);
      assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
    }
    for (const origin of ["null", EVIL, "https://a.example.org.evil.net", "http://a.example.org", `${SITE}.evil.net`, "*"]) {
      const res = await client.get("/items", { headers: { origin, cookie: "s=1" } });
      assert.equal(res.status, 200);
      assert.deepEqual(corsHeaders(res), [], origin);
      const pre = await client.options("/items", preflight(origin, "GET"));
      assert.equal(pre.status, 400, origin);
      assert.equal(pre.headers.get("access-control-allow-origin"), null, origin);
    }
  });

  test("a pattern that would match null does not allow it with credentials, but may without", async () => {
    const loose = ".*";
    const withCredentials = connect(corsApp({ allowOriginRegex: loose, allowCredentials: true }).app);
    assert.equal((await withCredentials.get("/items", { headers: { origin: "null" } })).headers.get("access-control-allow-origin"), null);
    assert.equal((await withCredentials.get("/items", { headers: { origin: SITE } })).headers.get("access-control-allow-origin"), SITE);
    const without = connect(corsApp({ allowOriginRegex: /https:\/\/APP\.example\.com|null/i }).app);
    assert.equal((await without.get("/items", { headers: { origin: "null" } })).headers.get("access-control-allow-origin"), "null");
    assert.equal((await without.get("/items", { headers: { origin: SITE } })).headers.get("access-control-allow-origin"), SITE, "a RegExp keeps its flags");
  });
  // The default is the safe one: with no allowHeaders, a preflight asking for any header
  // beyond the CORS-safelisted four is refused (a browser then never sends it).
  test("with no allowHeaders, a preflight may ask only for the safelisted headers", async () => {
    const client = connect(corsApp({ allowOrigins: [SITE] }).app);
    const refused = await client.options("/items", preflight(SITE, "GET", "x-custom"));
    assert.equal(refused.status, 400);
    assert.equal(await refused.text(), "Disallowed CORS headers");
    assert.equal(refused.headers.get("access-control-allow-headers"), "accept, accept-language, content-language, content-type");
    const allowed = await client.options("/items", preflight(SITE, "GET", "Content-Type,  Accept , ,accept-language"));
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("access-control-allow-headers"), "accept, accept-language, content-language, content-type");
    const none = await client.options("/items", preflight(SITE, "GET"));
    assert.equal(none.status, 200);
    assert.equal(none.headers.get("access-control-allow-methods"), "GET", "the default methods");
  });

  test("allowed headers are listed lower-case, sorted and once, safelisted ones included", async () => {
    const client = connect(corsApp({ allowOrigins: [SITE], allowHeaders: ["X-Token", "Authorization", "content-type"] }).app);
    const res = await client.options("/items", preflight(SITE, "GET", "authorization"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-headers"), "accept, accept-language, authorization, content-language, content-type, x-token");
  });

  test("only an OPTIONS request is a preflight: another method asking Access-Control-Request-Method reaches its route", async () => {
    const { app, reached } = corsApp({ allowOrigins: [SITE] });
    const res = await connect(app).get("/items", preflight(SITE, "GET"));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), [1, 2]);
    assert.deepEqual(reached, ["GET /items"]);
    assert.equal(res.headers.get("access-control-allow-origin"), SITE);
    assert.equal(res.headers.get("access-control-max-age"), null, "no preflight answer");
  });

  test('allowOrigins ["*"]: a request without Origin gets no Vary, since every origin gets the same answer', async () => {
    const res = await connect(corsApp({ allowOrigins: ["*"] }).app).get("/items");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("vary"), null);
    assert.deepEqual(corsHeaders(res), []);
  });

  test("exposeHeaders [] exposes nothing: no empty Access-Control-Expose-Headers", async () => {
    const res = await connect(corsApp({ allowOrigins: [SITE], exposeHeaders: [] }).app).get("/items", { headers: { origin: SITE } });
    assert.equal(res.headers.get("access-control-allow-origin"), SITE);
    assert.equal(res.headers.has("access-control-expose-headers"), false);
  });

  test("a pattern with the g or y flag allows its origins on every request, not every other one", async () => {
    const client = connect(corsApp({ allowOriginRegex: /https:\/\/[a-z]+\.example\.com/gy }).app);
    for (let i = 0; i < 3; i++) {
      const res = await client.get("/items", { headers: { origin: SITE } });
      assert.equal(res.headers.get("access-control-allow-origin"), SITE, `request ${i + 1}`);
    }
  });

  test("a refused preflight is plain text too, with the allow headers it would have had", async () => {
    const res = await connect(corsApp({ allowOrigins: [SITE], allowCredentials: true }).app).options("/items", preflight(SITE, "PUT"));
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(res.headers.get("access-control-allow-methods"), "GET");
    assert.equal(res.headers.get("access-control-allow-credentials"), "true");
    assert.equal(res.headers.get("access-control-max-age"), "600");
  });

  test('allowHeaders ["*"] with no requested headers sends no allow-headers', async () => {
    const res = await connect(corsApp({ allowOrigins: [SITE], allowHeaders: ["*"] }).app).options("/items", preflight(SITE, "GET"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-headers"), null);
  });
});
