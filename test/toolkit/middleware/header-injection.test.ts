// docs/reliability.md row 19: CRLF inside a header value or a redirect target built from user input
// is refused, and the response is never split.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { HTTPException, Spry, json } from "spry";
import { httpsRedirect, trustedHost } from "spry/middleware";
import { recordingLogger, type Entry } from "../../support/logger.ts";
import { TestServer, eventually, head } from "../../support/server.ts";
import { forEachTransport } from "../../support/transports.ts";

const INJECTION = "a\r\nx-evil: 1";
// Every way a handler can put a value of its own into a response header.
const WAYS = ["/set-header", "/set-header-name", "/response", "/exception", "/reply"] as const;

function injectableApp(): { app: Spry; logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  const v = z.string();
  app.get("/set-header", { v }, ({ v }, ctx) => (ctx.setHeader("x-v", v), "ok"));
  app.get("/set-header-name", { v }, ({ v }, ctx) => (ctx.setHeader(v, "1"), "ok"));
  app.get("/response", { v }, ({ v }) => new Response("ok", { headers: { "x-v": v } }));
  app.get("/exception", { v }, ({ v }): string => {
    throw new HTTPException(401, "Not authenticated", { "WWW-Authenticate": v });
  });
  app.get("/reply", { v }, ({ v }) => json({ ok: true }, { headers: { Link: v } }));
  app.get("/ok", () => "ok");
  return { app, logger };
}

const errors = (entries: Entry[]) => entries.filter((e) => e.level === "error");

forEachTransport("header injection", (connect) => {
  for (const way of WAYS) {
    test(`${way}: CR/LF from the query string gives a 500, logged once, and nothing of it is sent`, async () => {
      const { app, logger } = injectableApp();
      const client = connect(app);
      for (const value of [INJECTION, "a\rb", "a\nb", "a\0b"]) {
        const before = logger.entries.length;
        const res = await client.get(way, { query: { v: value } });
        assert.equal(res.status, 500, JSON.stringify(value));
        assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
        assert.equal(res.headers.get("x-evil"), null);
        assert.equal(res.headers.get("x-v"), null);
        const logged = errors(logger.entries.slice(before));
        assert.equal(logged.length, 1, JSON.stringify(logged.map((e) => e.message)));
        assert.match(String(logged[0]!.fields.err), /invalid header value|not allowed in HTTP headers/);
        assert.equal(logged[0]!.fields.route, `GET ${way}`);
        assert.equal((await client.get("/ok")).status, 200);
      }
      assert.equal((await client.get(way, { query: { v: "fine" } })).status, way === "/exception" ? 401 : 200);
    });
  }

  test("middleware that puts a bad header on every response still leaves the request answered", async () => {
    const { app, logger } = injectableApp();
    let cancelled = false;
    app.use(async (request, next) => {
      const tag = request.query.tag;
      const res = await next();
      if (typeof tag === "string") res.headers["x-tag"] = tag;
      return res;
    });
    app.get("/stream", () => new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(8)), cancel: () => void (cancelled = true) })));
    const client = connect(app);
    const res = await client.get("/ok", { query: { tag: INJECTION } });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
    assert.equal(res.headers.get("x-tag"), null);
    // Logged once: the 500 that replaces the refused response does not pass through the middleware again.
    assert.deepEqual(errors(logger.entries).map((e) => e.message), ["Unhandled error while handling a request"]);
    assert.equal((await client.get("/stream", { query: { tag: INJECTION } })).status, 500);
    assert.ok(await eventually(() => cancelled), "the refused response's stream was cancelled, not left running");
    assert.equal((await client.get("/ok", { query: { tag: "fine" } })).headers.get("x-tag"), "fine");
  });
});

// The same over a real socket: the raw bytes hold one response per request, with no line
// that the input added, and the connection goes on serving.
describe("header injection on a real socket", () => {
  const { app, logger } = injectableApp();
  const guarded = new Spry({ logger }).use(trustedHost({ allowedHosts: ["example.com"] })).use(httpsRedirect({ trustProxy: true }));
  guarded.get("/ok", () => "ok");
  let server: TestServer;
  let guardedServer: TestServer;
  before(async () => {
    server = await TestServer.start(app);
    guardedServer = await TestServer.start(guarded);
  });
  after(async () => {
    await server.close();
    await guardedServer.close();
  });

  // Sends the requests on one connection, the last with Connection: close; returns every byte back.
  async function exchange(target: TestServer, ...requests: string[]): Promise<string> {
    const connection = await target.connect();
    connection.write(requests.join(""));
    await connection.closedByServer();
    return connection.unread;
  }
  // Not anchored to a line: a response without a trailing newline runs on into the next.
  const statusLines = (raw: string) => raw.match(/HTTP\/1\.1 \d{3}[^\r\n]*/g) ?? [];
  const injected = (raw: string) => /^(x-evil|set-cookie)\s*:/im.test(raw);

  for (const way of WAYS) {
    test(`${way}: one 500, no injected line, then a 200 on the same connection`, async () => {
      const before = errors(logger.entries).length;
      const raw = await exchange(
        server,
        head(`GET ${way}?v=a%0D%0Ax-evil:%201 HTTP/1.1`, "Host: example.com"),
        head("GET /ok HTTP/1.1", "Host: example.com", "Connection: close"),
      );
      assert.deepEqual(statusLines(raw), ["HTTP/1.1 500 Internal Server Error", "HTTP/1.1 200 OK"], raw);
      assert.ok(!injected(raw), raw);
      assert.equal(errors(logger.entries).length, before + 1, "logged once");
    });
  }

  test("a Host with a bare CR never reaches trustedHost or httpsRedirect: 400 from the parser", async () => {
    const before = errors(logger.entries).length;
    for (const host of ["example.com\rx-evil: 1", "example.com\r set-cookie: a=b"]) {
      const raw = await exchange(guardedServer, head("GET /ok HTTP/1.1", `Host: ${host}`));
      assert.deepEqual(statusLines(raw), ["HTTP/1.1 400 Bad Request"], raw);
      assert.ok(!injected(raw), raw);
      assert.ok(!/^location:/im.test(raw), raw);
    }
    assert.equal((await guardedServer.get("/ok", { host: "example.com", "x-forwarded-proto": "https" })).status, 200);
    assert.equal(errors(logger.entries).length, before, "a refusal by the parser is no app error");
  });

  test("httpsRedirect keeps an encoded CRLF encoded; trustedHost refuses what is not a host", async () => {
    const raw = await exchange(
      guardedServer,
      head("GET /a%0D%0Ax-evil:%201?q=%0D%0A HTTP/1.1", "Host: example.com"),
      head("GET //evil.example/%2e%2e HTTP/1.1", "Host: example.com:8443"),
      head("GET /ok HTTP/1.1", "Host: evil.com"),
      head("GET /ok HTTP/1.0", "Connection: keep-alive"),
      head("GET /ok HTTP/1.1", "Host: example.com", "Connection: close"),
    );
    assert.deepEqual(statusLines(raw), ["HTTP/1.1 307 Temporary Redirect", "HTTP/1.1 307 Temporary Redirect", "HTTP/1.1 400 Bad Request", "HTTP/1.1 400 Bad Request", "HTTP/1.1 307 Temporary Redirect"], raw);
    assert.deepEqual(raw.match(/^location: .*$/gm), [
      "location: https://example.com/a%0D%0Ax-evil:%201?q=%0D%0A",
      "location: https://example.com:8443//evil.example/%2e%2e",
      "location: https://example.com/ok",
    ]);
    assert.ok(!injected(raw), raw);
    assert.equal(raw.match(/Invalid host header/g)?.length, 2, "evil.com, and HTTP/1.0 without a Host");
  });
});
