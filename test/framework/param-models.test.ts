// Query, header and cookie models (`query(z.object({...}))`), against the 422 bodies a live
// FastAPI 0.142 (pydantic 2.13) gave for the same models and requests, byte for byte.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry, cookie, depends, header, query } from "spry";
import app from "../../docs/examples/param-models.ts";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("parameter models", (connect, transport) => {
  const client = connect(app);

  test("each field converted like a single parameter, lists from repeated keys", async () => {
    const res = await client.get("/items/?limit=5&tags=a&tags=b&offset=2");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"limit":5,"offset":2,"order_by":"created_at","tags":["a","b"]}');
    assert.equal(await (await client.get("/items/")).text(), '{"limit":100,"offset":0,"order_by":"created_at","tags":[]}');
    // A scalar given twice takes the last value.
    assert.equal((await (await client.get("/items/?limit=5&limit=7")).json()).limit, 7);
  });

  test("every failure at once, at [\"query\", field], with what the client sent", async () => {
    const res = await client.get("/items/?limit=0&offset=-1&order_by=x&tags=a");
    assert.equal(res.status, 422);
    assert.equal(
      await res.text(),
      '{"detail":[{"type":"greater_than","loc":["query","limit"],"msg":"Input should be greater than 0","input":"0","ctx":{"gt":0}},' +
        '{"type":"greater_than_equal","loc":["query","offset"],"msg":"Input should be greater than or equal to 0","input":"-1","ctx":{"ge":0}},' +
        '{"type":"enum","loc":["query","order_by"],"msg":"Input should be \'created_at\' or \'updated_at\'","input":"x","ctx":{"expected":"\'created_at\' or \'updated_at\'"}}]}',
    );
    const parse = await client.get("/items/?limit=abc&tags=1");
    assert.equal(
      await parse.text(),
      '{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}',
    );
  });

  test("a strict model refuses unknown keys: extra_forbidden, after the fields' errors", async () => {
    const res = await client.get("/search/?page=abc&tool=plumbus&tool=x");
    assert.equal(res.status, 422);
    assert.equal(
      await res.text(),
      '{"detail":[{"type":"missing","loc":["query","q"],"msg":"Field required","input":{"page":"abc","tool":["plumbus","x"]}},' +
        '{"type":"int_parsing","loc":["query","page"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"},' +
        '{"type":"extra_forbidden","loc":["query","tool"],"msg":"Extra inputs are not permitted","input":["plumbus","x"]}]}',
    );
    const short = await client.get("/search/?q=&tool=plumbus");
    assert.equal(
      await short.text(),
      '{"detail":[{"type":"string_too_short","loc":["query","q"],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1}},' +
        '{"type":"extra_forbidden","loc":["query","tool"],"msg":"Extra inputs are not permitted","input":"plumbus"}]}',
    );
    assert.equal(await (await client.get("/search/?q=a&page=2")).text(), '{"q":"a","page":2}');
    // A model that does not forbid extras ignores them.
    assert.equal((await client.get("/items/?other=1")).status, 200);
  });

  test("aliases: the field is read, and reported, under its wire name", async () => {
    assert.equal(await (await client.get("/lookup/?item-query=x")).text(), '{"item_query":"x"}');
    const res = await client.get("/lookup/?item_query=x");
    assert.equal(await res.text(), '{"detail":[{"type":"missing","loc":["query","item-query"],"msg":"Field required","input":{"item_query":"x"}}]}');
  });

  test("header models: save_data from Save-Data, lists from repeated headers, errors at the field's name", async () => {
    const ok = await client.get("/headers/", { headers: { "save-data": "yes", "if-modified-since": "x" } });
    assert.equal(await ok.text(), '{"host":"testserver","save_data":true,"if_modified_since":"x","x_tag":[]}');
    if (transport === "node") {
      // Repeated header lines are distinct values on the node path (Fetch joins them with ", ").
      const { inject } = await import("light-my-request");
      const res = await inject(app.handleNode, { url: "/headers/", headers: { host: "h", "save-data": "1", "x-tag": ["a", "b"] } });
      assert.deepEqual(JSON.parse(res.payload).x_tag, ["a", "b"]);
    }
    const bad = await client.get("/headers/", { headers: { "save-data": "maybe" } });
    assert.equal(bad.status, 422);
    assert.deepEqual((await bad.json()).detail, [
      { type: "bool_parsing", loc: ["header", "save_data"], msg: "Input should be a valid boolean, unable to interpret input", input: "maybe" },
    ]);
    const missing = (await (await client.get("/headers/", { headers: { "x-tag": "1" } })).json()).detail;
    assert.equal(missing.length, 1);
    assert.deepEqual(missing[0].loc, ["header", "save_data"]);
    assert.equal(missing[0].type, "missing");
    // The input is every header the model was given, as FastAPI reports it.
    assert.equal(missing[0].input.host, "testserver");
    assert.deepEqual(missing[0].input.x_tag, ["1"]);
  });

  test("cookie models", async () => {
    assert.equal(await (await client.get("/cookies/", { cookies: { session_id: "s", tracker: "3" } })).text(), '{"session_id":"s","tracker":"3"}');
    const res = await client.get("/cookies/", { cookies: { tracker: "abc" } });
    assert.equal(await res.text(), '{"detail":[{"type":"missing","loc":["cookie","session_id"],"msg":"Field required","input":{"tracker":"abc"}}]}');
  });

  test("strict header and cookie models, convertUnderscores off, models in dependencies, async schemas", async () => {
    const strict = new Spry({ logger: false });
    strict.get("/h", { h: header(z.strictObject({ x_token: z.string() })) }, ({ h }) => h);
    strict.get("/raw", { h: header(z.object({ x_token: z.string() }), { convertUnderscores: false }) }, ({ h }) => h);
    strict.get("/c", { c: cookie(z.strictObject({ session_id: z.string() })) }, ({ c }) => c);
    const paging = depends({ page: query(z.object({ skip: z.int().default(0), limit: z.int().max(50).default(10) })) }, ({ page }) => page);
    strict.get("/dep", { paging, q: z.string().optional() }, ({ paging, q }) => ({ ...paging, q }));
    const slow = z.object({ n: z.int() }).refine(async (v) => v.n !== 13, { message: "unlucky", path: ["n"] });
    strict.get("/async", { m: query(slow) }, ({ m }) => m);
    const c = connect(strict);
    const h = (await (await c.get("/h", { headers: { "x-token": "t", "x-other": "1" } })).json()).detail;
    assert.ok(h.every((e: { type: string }) => e.type === "extra_forbidden"));
    assert.ok(h.some((e: { loc: string[]; input: string }) => e.loc[1] === "x-other" && e.input === "1"));
    assert.ok(h.some((e: { loc: string[] }) => e.loc[1] === "host"));
    assert.ok(!h.some((e: { loc: string[] }) => e.loc[1] === "x-token"));
    assert.deepEqual(await (await c.get("/raw", { headers: { x_token: "t" } })).json(), { x_token: "t" });
    assert.equal((await c.get("/raw", { headers: { "x-token": "t" } })).status, 422);
    const cookieRes = await c.get("/c", { cookies: { session_id: "s", other: "3" } });
    assert.equal(await cookieRes.text(), '{"detail":[{"type":"extra_forbidden","loc":["cookie","other"],"msg":"Extra inputs are not permitted","input":"3"}]}');
    assert.deepEqual(await (await c.get("/dep?limit=5&q=x")).json(), { skip: 0, limit: 5, q: "x" });
    const both = (await (await c.get("/dep?limit=99&skip=x")).json()).detail;
    assert.deepEqual(both.map((e: { loc: string[] }) => e.loc), [["query", "skip"], ["query", "limit"]]);
    assert.deepEqual(await (await c.get("/async?n=2")).json(), { n: 2 });
    const unlucky = (await (await c.get("/async?n=13")).json()).detail;
    assert.deepEqual(unlucky.map((e: { loc: string[]; input: unknown }) => [e.loc, e.input]), [[["query", "n"], "13"]]);
  });
});

test("OpenAPI lists each field of a model as its own parameter, as FastAPI does", () => {
  const doc = app.openapi();
  const params = (p: string) => doc.paths[p]!.get.parameters.map((x: { name: string; in: string; required: boolean; schema: { title?: string } }) => [x.name, x.in, x.required, x.schema.title]);
  assert.deepEqual(params("/items/"), [
    ["limit", "query", false, "Limit"],
    ["offset", "query", false, "Offset"],
    ["order_by", "query", false, "Order By"],
    ["tags", "query", false, "Tags"],
  ]);
  assert.deepEqual(params("/search/"), [["q", "query", true, "Q"], ["page", "query", false, "Page"]]);
  assert.deepEqual(params("/lookup/"), [["item-query", "query", true, "Item-Query"]]);
  assert.deepEqual(params("/headers/"), [
    ["host", "header", true, "Host"],
    ["save-data", "header", true, "Save Data"],
    ["if-modified-since", "header", false, "If Modified Since"],
    ["x-tag", "header", false, "X Tag"],
  ]);
  assert.deepEqual(params("/cookies/"), [["session_id", "cookie", true, "Session Id"], ["tracker", "cookie", false, "Tracker"]]);
});

test("a mistake in a model's declaration is refused when the route is declared, naming it", () => {
  const app = new Spry({ logger: false });
  const Model = z.object({ item_query: z.string() });
  assert.throws(() => app.get("/a", { m: query(Model, { alias: "x" }) }, () => null), /\/a, input "m": a query model takes `aliases` per field/);
  assert.throws(() => app.get("/b", { m: query(Model, { aliases: { nope: "x" } as never }) }, () => null), /\/b, input "m": `aliases` names "nope"/);
});
