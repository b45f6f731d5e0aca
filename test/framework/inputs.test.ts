import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import * as v from "valibot";
import { Spry, cookie, header, path, query } from "spry";
import { forEachTransport } from "../support/transports.ts";

const Color = z.enum(["red", "green"]);

function app(): Spry {
  const app = new Spry({ logger: false });
  app.get("/int/{n}", { n: z.int() }, ({ n }) => ({ n, type: typeof n }));
  app.get("/scalars", {
    i: z.int().optional(),
    f: z.number().optional(),
    b: z.boolean().optional(),
    s: z.string().optional(),
    color: Color.optional(),
  }, (inputs) => inputs);
  app.get("/defaults", {
    q: z.string().nullable().default(null),
    limit: z.int().default(10),
    flag: z.boolean().default(false),
  }, (inputs) => inputs);
  app.get("/lists", { ids: z.array(z.int()).default([]), tags: z.array(z.string()).optional() }, (inputs) => inputs);
  app.get("/union", { v: z.union([z.int(), z.literal("all")]) }, ({ v }) => ({ v, type: typeof v }));
  app.get("/literal-number", { n: z.literal([1, 2]) }, ({ n }) => ({ n, type: typeof n }));
  app.get("/headers", {
    user_agent: header(z.string()),
    x_count: header(z.int().optional()),
    x_tag: header(z.array(z.string()).optional()),
    raw_name: header(z.string().optional(), { convertUnderscores: false }),
  }, (inputs) => inputs);
  app.get("/cookies", { session_id: cookie(z.string()), visits: cookie(z.int().default(0)) }, (inputs) => inputs);
  app.get("/alias", { item_query: query(z.string(), { alias: "item-query" }) }, ({ item_query }) => ({ item_query }));
  app.get("/pinned/{id}", { id: path(z.int()) }, ({ id }) => ({ id }));
  app.get("/transform", { csv: z.string().transform((s) => s.split(",")) }, ({ csv }) => ({ csv }));
  app.get("/valibot/{n}", { n: v.pipe(v.string(), v.transform(Number), v.number()) }, ({ n }) => ({ n, type: typeof n }));
  return app;
}

forEachTransport("declared inputs", (connect) => {
  const client = connect(app());

  test("a path parameter declared z.int() arrives as a number", async () => {
    assert.deepEqual(await (await client.get("/int/42")).json(), { n: 42, type: "number" });
    assert.deepEqual(await (await client.get("/int/-3")).json(), { n: -3, type: "number" });
  });

  test("integers, numbers, booleans, strings and enums are converted by their declared type", async () => {
    const res = await client.get("/scalars", { query: { i: "7", f: "2.5", b: "yes", s: "007", color: "red" } });
    assert.deepEqual(await res.json(), { i: 7, f: 2.5, b: true, s: "007", color: "red" });
  });

  test("booleans accept pydantic's words, case-insensitively", async () => {
    for (const [text, value] of [["1", true], ["true", true], ["On", true], ["YES", true], ["t", true], ["y", true],
      ["0", false], ["false", false], ["off", false], ["No", false], ["f", false], ["n", false]] as const) {
      const res = await client.get("/scalars", { query: { b: text } });
      assert.deepEqual(await res.json(), { b: value }, text);
    }
  });

  test("numbers accept exponents and decimals, not hex or words", async () => {
    assert.deepEqual(await (await client.get("/scalars?f=1e3")).json(), { f: 1000 });
    assert.deepEqual(await (await client.get("/scalars?f=.5")).json(), { f: 0.5 });
    for (const bad of ["0x10", "Infinity", "NaN", "", "1.2.3"]) {
      assert.equal((await client.get("/scalars", { query: { f: bad } })).status, 422, bad);
    }
  });

  test("absent optional inputs are left out; defaults fill in", async () => {
    assert.deepEqual(await (await client.get("/scalars")).json(), {});
    assert.deepEqual(await (await client.get("/defaults")).json(), { q: null, limit: 10, flag: false });
    assert.deepEqual(await (await client.get("/defaults?q=x&limit=3&flag=on")).json(), { q: "x", limit: 3, flag: true });
  });

  test("an empty query value is an empty string, not absent", async () => {
    assert.deepEqual(await (await client.get("/defaults?q=")).json(), { q: "", limit: 10, flag: false });
  });

  test("a list collects every repeated query key, each item converted", async () => {
    assert.deepEqual(await (await client.get("/lists?ids=1&ids=2&ids=3&tags=a")).json(), { ids: [1, 2, 3], tags: ["a"] });
    assert.deepEqual(await (await client.get("/lists")).json(), { ids: [] });
  });

  test("a scalar given several times takes the last value, as Starlette does", async () => {
    assert.deepEqual(await (await client.get("/scalars?i=1&i=2")).json(), { i: 2 });
  });

  test("query values are percent- and plus-decoded", async () => {
    assert.deepEqual(await (await client.get("/scalars?s=a+b%26c%C3%A9")).json(), { s: "a b&cé" });
  });

  test("unions try each member in order", async () => {
    assert.deepEqual(await (await client.get("/union?v=5")).json(), { v: 5, type: "number" });
    assert.deepEqual(await (await client.get("/union?v=all")).json(), { v: "all", type: "string" });
    assert.equal((await client.get("/union?v=some")).status, 422);
  });

  test("number literals are matched by their text", async () => {
    assert.deepEqual(await (await client.get("/literal-number?n=2")).json(), { n: 2, type: "number" });
    assert.equal((await client.get("/literal-number?n=3")).status, 422);
  });

  test("headers: underscores read as hyphens, case-insensitive, converted, lists from repeats", async () => {
    const res = await client.get("/headers", { headers: { "User-Agent": "tests/1.0", "X-Count": "4", raw_name: "kept" } });
    assert.deepEqual(await res.json(), { user_agent: "tests/1.0", x_count: 4, raw_name: "kept" });
  });

  test("cookies are read by name and converted", async () => {
    const res = await client.get("/cookies", { cookies: { session_id: "abc 123", visits: "3" } });
    assert.deepEqual(await res.json(), { session_id: "abc 123", visits: 3 });
    const missing = await client.get("/cookies");
    assert.equal(missing.status, 422);
    assert.deepEqual((await missing.json()).detail[0].loc, ["cookie", "session_id"]);
  });

  test("an alias names the input on the wire", async () => {
    assert.deepEqual(await (await client.get("/alias?item-query=x")).json(), { item_query: "x" });
    const res = await client.get("/alias?item_query=x");
    assert.deepEqual((await res.json()).detail[0].loc, ["query", "item-query"]);
  });

  test("path() pins a path parameter and converts it", async () => {
    assert.deepEqual(await (await client.get("/pinned/9")).json(), { id: 9 });
  });

  test("the schema's own transforms run after conversion", async () => {
    assert.deepEqual(await (await client.get("/transform?csv=a,b")).json(), { csv: ["a", "b"] });
  });

  test("any Standard Schema library works; one without JSON Schema receives the string", async () => {
    assert.deepEqual(await (await client.get("/valibot/12")).json(), { n: 12, type: "number" });
  });
});

forEachTransport("repeated header values", (connect, transport) => {
  test("a list header receives every value", async () => {
    const app = new Spry({ logger: false });
    app.get("/h", { x_tag: header(z.array(z.string())) }, ({ x_tag }) => x_tag);
    // Headers given as one comma-joined line are split, as Starlette's getlist does for the Fetch path;
    // node keeps repeated lines apart.
    const res = await connect(app).get("/h", { headers: { "x-tag": transport === "fetch" ? "a, b" : "a" } });
    assert.deepEqual(await res.json(), transport === "fetch" ? ["a", "b"] : ["a"]);
  });
});

test("declaring an input against the path template fails at registration", () => {
  const app = new Spry({ logger: false });
  assert.throws(() => app.get("/a/{id}", { id: query(z.int()) }, () => 1), /path parameter .* declared as a query/);
  assert.throws(() => app.get("/b", { id: path(z.int()) }, () => 1), /has no \{id\}/);
});

test("query parameters over the limit: 413", async () => {
  const app = new Spry({ logger: false, limits: { maxQueryKeys: 10 } });
  app.get("/q", { a: z.string().optional() }, (inputs) => inputs);
  const { TestClient } = await import("spry/testing");
  const client = new TestClient(app);
  const ok = await client.get(`/q?${Array.from({ length: 10 }, (_, i) => `k${i}=1`).join("&")}`);
  assert.equal(ok.status, 200);
  const res = await client.get(`/q?${Array.from({ length: 11 }, (_, i) => `k${i}=1`).join("&")}`);
  assert.equal(res.status, 413);
});

test("10,000 repeated query keys are refused by the cap, not parsed", async () => {
  const app = new Spry({ logger: false });
  app.get("/q", { a: z.array(z.string()).optional() }, ({ a }) => a?.length ?? 0);
  const { TestClient } = await import("spry/testing");
  const res = await new TestClient(app).get(`/q?${"a=1&".repeat(10_000)}`.slice(0, 8000));
  // 8,000 characters hold at most 2,000 keys; the default cap is 1,000.
  assert.equal(res.status, 413);
});
