import assert from "node:assert/strict";
import { test } from "node:test";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { Spry, body } from "spry";
import { forEachTransport } from "../support/transports.ts";

const Item = z.object({ name: z.string(), price: z.number(), tags: z.array(z.string()).default([]) });
const User = z.object({ username: z.string() });

function app(): Spry {
  const app = new Spry({ logger: false, limits: { bodyLimit: 4096 } });
  app.post("/items/", { item: Item }, ({ item }) => item);
  app.put("/items/{item_id}", { item_id: z.int(), item: Item, q: z.string().optional() }, (inputs) => inputs);
  app.post("/embedded", { item: Item, user: User, importance: body(z.int()) }, (inputs) => inputs);
  app.post("/embed-one", { item: body(Item, { embed: true }) }, ({ item }) => item);
  app.post("/optional", { item: Item.optional() }, ({ item }) => ({ got: item ?? null }));
  app.post("/list", { items: z.array(Item) }, ({ items }) => items.length);
  app.post("/raw", { item: Item }, async ({ item }, ctx) => ({ item, raw: Buffer.from(await ctx.body()).toString() }));
  app.post("/raw-only", async (_, ctx) => (await ctx.body()).byteLength);
  app.post("/big", { item: z.object({ data: z.string() }) }, ({ item }) => item.data.length, { bodyLimit: 64 * 1024 });
  return app;
}

const json = { "content-type": "application/json" };

forEachTransport("JSON bodies", (connect) => {
  const client = connect(app());
  const post = (path: string, text: string, headers: Record<string, string> = json) => client.post(path, { body: text, headers });

  test("an object schema is the JSON body, validated, extra keys stripped", async () => {
    const res = await client.post("/items/", { json: { name: "Hammer", price: 9.5, secret: "x" } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: "Hammer", price: 9.5, tags: [] });
  });

  test("body, path and query inputs together", async () => {
    const res = await client.put("/items/3?q=hi", { json: { name: "Saw", price: 3 } });
    assert.deepEqual(await res.json(), { item_id: 3, item: { name: "Saw", price: 3, tags: [] }, q: "hi" });
  });

  test("several body inputs are embedded by name, a body() scalar among them", async () => {
    const res = await client.post("/embedded", { json: { item: { name: "a", price: 1 }, user: { username: "ada" }, importance: 5 } });
    assert.deepEqual(await res.json(), { item: { name: "a", price: 1, tags: [] }, user: { username: "ada" }, importance: 5 });
  });

  test("embed: true expects {name: value} for a single body", async () => {
    assert.deepEqual(await (await client.post("/embed-one", { json: { item: { name: "a", price: 1 } } })).json(), { name: "a", price: 1, tags: [] });
    const res = await client.post("/embed-one", { json: { name: "a", price: 1 } });
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail[0], { type: "missing", loc: ["body", "item"], msg: "Field required", input: null });
  });

  test("a list of models is a body too", async () => {
    assert.equal(await (await client.post("/list", { json: [{ name: "a", price: 1 }, { name: "b", price: 2 }] })).json(), 2);
  });

  test("body errors are located under body, reported with the path's and query's", async () => {
    const res = await client.put("/items/x", { json: { name: 5 } });
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail, [
      { type: "int_parsing", loc: ["path", "item_id"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "x" },
      { type: "string_type", loc: ["body", "name"], msg: "Input should be a valid string", input: 5 },
      // As pydantic reports an absent field: with the object it is missing from.
      { type: "missing", loc: ["body", "price"], msg: "Field required", input: { name: 5 } },
    ]);
  });

  test("no body for a required model: missing at [body]", async () => {
    const res = await client.post("/items/", { headers: json });
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), { detail: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }] });
  });

  test("an optional body may be left out", async () => {
    assert.deepEqual(await (await client.post("/optional")).json(), { got: null });
  });

  test("an embedded body that is no object has none of its fields, as FastAPI answers", async () => {
    const res = await client.post("/embedded", { json: [1, 2] });
    assert.equal(res.status, 422);
    const missing = (name: string) => ({ type: "missing", loc: ["body", name], msg: "Field required", input: null });
    assert.deepEqual(await res.json(), { detail: [missing("item"), missing("user"), missing("importance")] });
  });

  test("truncated JSON: 422 json_invalid with the position, as FastAPI", async () => {
    const res = await post("/items/", '{"a":');
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      detail: [{ type: "json_invalid", loc: ["body", 5], msg: "JSON decode error", input: {}, ctx: { error: "Expecting value" } }],
    });
    const extra = await post("/items/", '{"name":"a","price":1} x');
    assert.deepEqual((await extra.json()).detail[0].loc, ["body", 23]);
  });

  test("__proto__ and constructor.prototype keys: 400, Object.prototype untouched", async () => {
    for (const text of ['{"__proto__":{"polluted":true},"name":"a","price":1}', '{"constructor":{"prototype":{"polluted":true}},"name":"a","price":1}']) {
      const res = await post("/items/", text);
      assert.equal(res.status, 400, text);
      assert.match((await res.json()).detail, /forbidden key/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }
  });

  test("JSON nested 100,000 deep: 400 from the depth cap", async () => {
    const app = new Spry({ logger: false });
    app.post("/deep", { item: z.object({ a: z.unknown() }) }, () => "parsed");
    const refused = await connect(app).post("/deep", { body: `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, headers: json });
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).detail, /nested deeper than 128/);
    const ok = await connect(app).post("/deep", { body: `{"a":${"[".repeat(127)}${"]".repeat(127)}}`, headers: json });
    assert.equal(ok.status, 200);
  });

  test("JSON only from application/json or +json media types, case and parameters allowed", async () => {
    const valid = JSON.stringify({ name: "a", price: 1 });
    for (const type of ["application/json", "APPLICATION/JSON\t;", "application/json; charset=UTF-8", "application/vnd.api+json", "application/merge-patch+json"]) {
      assert.equal((await post("/items/", valid, { "content-type": type })).status, 200, type);
    }
    for (const type of ["text/plain", "text/plain; charset=utf-8", "application/json garbage", "application/x-www-form-urlencoded", "application/json; charset=latin1", "json"]) {
      const res = await post("/items/", valid, { "content-type": type });
      assert.equal(res.status, 415, type);
    }
  });

  test("the route remembers the last JSON content type it took, and still refuses every other one", async () => {
    const valid = JSON.stringify({ name: "a", price: 1 });
    for (const [type, status] of [["application/json", 200], ["application/json", 200], ["text/plain", 415], ["application/json", 200], ["application/json; charset=latin1", 415], ["application/json; charset=utf-8", 200], ["application/json; charset=utf-8", 200], ["application/json", 200], ["application/json; __proto__=x", 415]] as const) {
      assert.equal((await post("/items/", valid, { "content-type": type })).status, status, type);
    }
  });

  test("no content type at all is read as JSON, as FastAPI does", async () => {
    // Bytes, not a string: the Fetch API gives a string body a text/plain type of its own.
    const res = await client.post("/items/", { body: Buffer.from(JSON.stringify({ name: "a", price: 1 })) });
    assert.equal(res.status, 200);
  });

  test("content types naming __proto__ or constructor, or with 10,000 parameters: 415", async () => {
    const valid = JSON.stringify({ name: "a", price: 1 });
    for (const type of ["application/json; __proto__=x", "application/json; constructor=y", `application/json${"; a=b".repeat(10_000)}`]) {
      const res = await post("/items/", valid, { "content-type": type });
      assert.equal(res.status, 415);
      assert.match((await res.json()).detail, /Malformed Content-Type/);
    }
  });

  test("the raw body stays reachable after parsing", async () => {
    const text = '{"name":"a","price":1}';
    assert.deepEqual(await (await post("/raw", text)).json(), { item: { name: "a", price: 1, tags: [] }, raw: text });
  });

  test("gzip, deflate and br bodies are decoded", async () => {
    const text = JSON.stringify({ name: "zipped", price: 2 });
    for (const [encoding, encode] of [["gzip", gzipSync], ["deflate", deflateSync], ["br", brotliCompressSync]] as const) {
      const res = await client.post("/items/", { body: encode(text), headers: { ...json, "content-encoding": encoding } });
      assert.equal(res.status, 200, encoding);
      assert.equal((await res.json()).name, "zipped");
    }
  });

  test("a gzip body that inflates past the limit: 413, counted on decoded bytes", async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    assert.ok(bomb.byteLength < 64 * 1024, "the compressed body itself is under the route's limit");
    const res = await client.post("/big", { body: bomb, headers: { ...json, "content-encoding": "gzip" } });
    assert.equal(res.status, 413);
  });

  test("an unknown content-encoding: 415; a corrupt gzip body: 400", async () => {
    assert.equal((await client.post("/raw-only", { body: "x", headers: { "content-encoding": "zstd-ish" } })).status, 415);
    assert.equal((await client.post("/raw-only", { body: "not gzip", headers: { "content-encoding": "gzip" } })).status, 400);
  });

  test("a declared body over the limit: 413; a route may allow more", async () => {
    const big = JSON.stringify({ data: "x".repeat(10_000) });
    assert.equal((await post("/items/", big)).status, 413);
    assert.equal(await (await post("/big", big)).json(), 10_000);
  });
});

forEachTransport("JSON depth limit", (connect) => {
  test("is configurable", async () => {
    const app = new Spry({ logger: false, limits: { maxJsonDepth: 3 } });
    app.post("/d", { item: z.object({ a: z.unknown() }) }, () => "ok");
    const client = connect(app);
    assert.equal((await client.post("/d", { json: { a: [[1]] } })).status, 200);
    assert.equal((await client.post("/d", { json: { a: [[[1]]] } })).status, 400);
  });
});
