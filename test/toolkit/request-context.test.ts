import assert from "node:assert/strict";
import { test } from "node:test";
import { Spry, currentContext, depends, sleep } from "spry";
import { forEachTransport } from "../support/transports.ts";

function audit(): string {
  const ctx = currentContext();
  return `${ctx.method} ${ctx.path} ${ctx.header("x-user") ?? "-"}`;
}

forEachTransport("request context", (connect) => {
  test("reachable from any depth, across awaits and middleware, never mixed between requests", async () => {
    const app = new Spry({ logger: false, requestContext: true });
    app.use(async (ctx, next) => {
      await sleep(1);
      ctx.setHeader("x-seen-by-middleware", audit());
      return next();
    });
    const who = depends(async () => {
      await sleep(5);
      return audit();
    });
    app.get("/who/{n}", { who }, async ({ who }) => {
      await sleep(Math.random() * 10);
      return { who, after: audit() };
    });
    const client = connect(app);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.get(`/who/${i}`, { headers: { "x-user": `u${i}` } }).then(async (res) => ({ i, res, body: await res.json() }))),
    );
    for (const { i, res, body } of results) {
      assert.deepEqual(body, { who: `GET /who/${i} u${i}`, after: `GET /who/${i} u${i}` });
      assert.equal(res.headers.get("x-seen-by-middleware"), `GET /who/${i} u${i}`);
    }
  });
});

test("outside a request, or without the option, it says why", async () => {
  assert.throws(() => currentContext(), /requestContext: true/);
  const app = new Spry({ logger: false });
  app.get("/x", () => {
    try {
      return audit();
    } catch (error) {
      return (error as Error).message;
    }
  });
  const { TestClient } = await import("spry/testing");
  assert.match(await (await new TestClient(app).get("/x")).json(), /requestContext: true/);
});
