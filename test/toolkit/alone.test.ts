// The toolkit on its own, without Spry (as Starlette is without FastAPI): a route table,
// middleware and endpoints that return responses, over both transports. docs/examples/toolkit.ts
// is the app the docs show.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException, SpryResponse, ToolkitApp, emptyResponse, jsonResponse, textResponse } from "spry/toolkit";
import example from "../../docs/examples/toolkit.ts";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("the toolkit alone", (connect) => {
  test("docs/examples/toolkit.ts: routes, a parameter, a body, middleware on every answer, a 404 handler", async () => {
    const client = connect(example);
    const hello = await client.get("/");
    assert.equal(hello.status, 200);
    assert.equal(hello.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await hello.text(), "Hello from the toolkit");
    assert.equal(hello.headers.get("x-powered-by"), "spry toolkit");
    const item = await client.get("/items/1");
    assert.deepEqual(await item.json(), { id: 1, name: "Hammer" });
    const echoed = await client.post("/echo", { body: "raw bytes", headers: { "content-type": "text/plain" } });
    assert.equal(await echoed.text(), "raw bytes");
    const health = await client.get("/health");
    assert.equal(await health.text(), "ok");
    assert.equal(health.headers.get("x-powered-by"), "spry toolkit", "a Fetch Response passes through middleware too");
    for (const path of ["/items/2", "/nowhere"]) {
      const missing = await client.get(path);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { message: "Nothing here" });
      assert.equal(missing.headers.get("x-powered-by"), "spry toolkit");
    }
  });

  test("HEAD is a GET without its body, 405 says what is allowed, limits hold", async () => {
    const app = new ToolkitApp({ logger: false, limits: { bodyLimit: 8 } })
      .route("GET", "/text", () => textResponse(200, "twelve bytes"))
      .route("POST", "/upload", async (request) => jsonResponse(200, { size: (await request.body()).byteLength }));
    const client = connect(app);
    const head = await client.head("/text");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "12");
    assert.equal(await head.text(), "");
    const wrong = await client.delete("/text");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, HEAD");
    assert.equal((await client.post("/upload", { body: "1234" })).status, 200);
    assert.equal((await client.post("/upload", { body: "123456789" })).status, 413);
  });

  test("an endpoint's error is a logged 500 that middleware still sees; an HTTPException its own answer", async () => {
    const logger = recordingLogger();
    const seen: number[] = [];
    const app = new ToolkitApp({ logger })
      .use(async (_request, next) => {
        const response = await next();
        seen.push(response.status);
        return response;
      })
      .route("GET", "/boom", () => {
        throw new Error("boom");
      })
      .route("GET", "/teapot", () => {
        throw new HTTPException(418, "I'm a teapot");
      })
      .route("GET", "/moved", () => emptyResponse(308, { location: "/text" }));
    const client = connect(app);
    const boom = await client.get("/boom");
    assert.equal(boom.status, 500);
    assert.deepEqual(await boom.json(), { detail: "Internal Server Error" });
    assert.equal(logger.entries.filter((e) => e.level === "error").length, 1);
    const teapot = await client.get("/teapot");
    assert.deepEqual([teapot.status, await teapot.json()], [418, { detail: "I'm a teapot" }]);
    assert.equal((await client.get("/moved")).headers.get("location"), "/text");
    assert.deepEqual(seen, [500, 418, 308]);
  });

  test("an endpoint that returns no response is a 500 that names the mistake", async () => {
    const logger = recordingLogger();
    const app = new ToolkitApp({ logger }).use((_request, next) => next());
    app.route("GET", "/nothing", () => undefined as unknown as SpryResponse);
    const res = await connect(app).get("/nothing");
    assert.equal(res.status, 500);
    assert.match(String(logger.entries.find((e) => e.level === "error")?.fields.err), /returned nothing instead of a response/);
  });
});
