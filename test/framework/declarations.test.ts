// A mistake in a route's declaration is refused when the route is declared, naming the route
// and the input (docs/reliability.md, row 37), never a 500 on every request; explicit HEAD
// routes replace the automatic one in either order; TRACE routes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { BackgroundTasks, Spry, depends } from "spry";
import { forEachTransport } from "../support/transports.ts";

class SomeClass {}

test("an input that is neither a schema nor a dependency is refused at declaration (row 37)", () => {
  const app = new Spry({ logger: false });
  assert.throws(
    () => app.get("/x", { tasks: SomeClass } as never, () => null),
    /^Error: GET \/x: input "tasks" is neither a schema .* nor a dependency: got the class SomeClass; wrap a function in depends\(\).*ctx\.tasks$/,
  );
  assert.throws(() => app.post("/y", { tasks: BackgroundTasks } as never, () => null), /POST \/y: input "tasks" .* got the class BackgroundTasks/);
  assert.throws(() => app.get("/n", { n: 5 } as never, () => null), /GET \/n: input "n" is neither .* got number 5$/);
  assert.throws(() => app.get("/o", { o: { type: "string" } } as never, () => null), /GET \/o: input "o" .* got an object/);
  assert.throws(() => app.get("/u", { u: undefined } as never, () => null), /GET \/u: input "u" .* got undefined/);
  const helper = depends({ bad: (() => 1) as never }, () => 1);
  assert.throws(() => app.get("/d", { helper }, () => null), /GET \/d: input "bad" of a dependency .* got the function bad/);
  assert.throws(() => app.get("/e", () => null, { dependencies: [SomeClass as never] }), /GET \/e: `dependencies` holds something that is not a dependency/);
  // A refused route is not half-registered: it can be declared again, correctly.
  app.get("/x", { q: z.string() }, ({ q }) => q);
  assert.equal(app.routes.filter((r) => r.path === "/x").length, 1);
});

function headApp(order: "head first" | "get first"): Spry {
  const app = new Spry({ logger: false });
  const get = () => app.get("/h", () => ({ get: true }));
  const head = () => app.head("/h", () => new Response(null, { headers: { "x-head": "explicit" } }));
  if (order === "head first") { head(); get(); } else { get(); head(); }
  app.get("/auto", () => ({ auto: true }));
  app.trace("/t", () => ({ trace: true }));
  return app;
}

forEachTransport("HEAD and TRACE routes", (connect, transport) => {
  for (const order of ["head first", "get first"] as const) {
    test(`an explicit HEAD replaces the automatic one (${order})`, async () => {
      const client = connect(headApp(order));
      const head = await client.head("/h");
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("x-head"), "explicit");
      assert.deepEqual(await (await client.get("/h")).json(), { get: true });
      // Other GET routes still answer HEAD by themselves, with the GET's headers.
      const auto = await client.head("/auto");
      assert.equal(auto.status, 200);
      assert.equal(auto.headers.get("content-type"), "application/json");
    });
  }

  // The Fetch API forbids TRACE in a Request (undici, browsers), so only node:http carries it.
  test("TRACE routes, and TRACE in a 405's Allow", { skip: transport === "fetch" }, async () => {
    const client = connect(headApp("get first"));
    const res = await client.request("TRACE", "/t");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { trace: true });
    const wrong = await client.get("/t");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "TRACE");
  });
});

test("two explicit HEAD routes on one path are still refused", () => {
  const app = headApp("get first");
  assert.throws(() => app.head("/h", () => null), /HEAD \/h: Route HEAD \/h is already registered/);
});

test("TRACE operations are in the OpenAPI document", () => {
  assert.deepEqual(Object.keys(headApp("get first").openapi().paths["/t"]!), ["trace"]);
});
