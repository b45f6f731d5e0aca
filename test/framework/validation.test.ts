import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry, body, header, query } from "spry";
import { forEachTransport } from "../support/transports.ts";

function app(): Spry {
  const app = new Spry({ logger: false });
  app.get("/items/{item_id}", { item_id: z.int(), q: z.string().nullable().default(null) }, (inputs) => inputs);
  app.get("/many/{a}", {
    a: z.int(),
    b: z.number(),
    c: z.boolean(),
    d: z.string(),
    x_token: header(z.string()),
  }, (inputs) => inputs);
  app.get("/bounds", {
    ge: z.int().min(5).optional(),
    gt: z.number().gt(1).optional(),
    le: z.int().max(10).optional(),
    lt: z.number().lt(3).optional(),
    short: z.string().min(3).optional(),
    long: z.string().max(2).optional(),
    pattern: z.string().regex(/^[a-z]+$/).optional(),
    color: z.enum(["red", "green", "blue"]).optional(),
    one: z.literal("only").optional(),
    ids: z.array(z.int()).min(2).optional(),
    refined: z.string().refine((s) => s !== "bad", "must not be bad").optional(),
  }, (inputs) => inputs);
  return app;
}

forEachTransport("validation errors", (connect) => {
  const client = connect(app());

  async function detail(path: string): Promise<unknown[]> {
    const res = await client.get(path);
    assert.equal(res.status, 422, path);
    assert.equal(res.headers.get("content-type"), "application/json");
    const body = await res.json();
    return body.detail;
  }

  test("a non-integer path parameter: FastAPI's exact 422 body", async () => {
    const res = await client.get("/items/abc");
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      detail: [{
        type: "int_parsing",
        loc: ["path", "item_id"],
        msg: "Input should be a valid integer, unable to parse string as an integer",
        input: "abc",
      }],
    });
  });

  test("an integer beyond 2^53 is refused, never rounded", async () => {
    assert.deepEqual(await detail("/items/9007199254740993"), [{
      type: "int_parsing_size",
      loc: ["path", "item_id"],
      msg: "Unable to parse input string as an integer, exceeded maximum size",
      input: "9007199254740993",
    }]);
    assert.deepEqual(await (await client.get("/items/9007199254740991")).json(), { item_id: 9007199254740991, q: null });
  });

  test("a fractional number for an integer: int_parsing", async () => {
    const [error] = (await detail("/items/1.5")) as { type: string }[];
    assert.equal(error!.type, "int_parsing");
  });

  test("every failing input is reported at once, in declaration order, missing ones with input null", async () => {
    assert.deepEqual(await detail("/many/x?b=y&c=maybe"), [
      { type: "int_parsing", loc: ["path", "a"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "x" },
      { type: "float_parsing", loc: ["query", "b"], msg: "Input should be a valid number, unable to parse string as a number", input: "y" },
      { type: "bool_parsing", loc: ["query", "c"], msg: "Input should be a valid boolean, unable to interpret input", input: "maybe" },
      { type: "missing", loc: ["query", "d"], msg: "Field required", input: null },
      { type: "missing", loc: ["header", "x-token"], msg: "Field required", input: null },
    ]);
  });

  // The input is the text the client sent ("4"), as FastAPI quotes it, not the converted number.
  test("numeric bounds use pydantic's types, messages and ctx", async () => {
    assert.deepEqual(await detail("/bounds?ge=4"), [
      { type: "greater_than_equal", loc: ["query", "ge"], msg: "Input should be greater than or equal to 5", input: "4", ctx: { ge: 5 } },
    ]);
    assert.deepEqual(await detail("/bounds?gt=1"), [
      { type: "greater_than", loc: ["query", "gt"], msg: "Input should be greater than 1", input: "1", ctx: { gt: 1 } },
    ]);
    assert.deepEqual(await detail("/bounds?le=11"), [
      { type: "less_than_equal", loc: ["query", "le"], msg: "Input should be less than or equal to 10", input: "11", ctx: { le: 10 } },
    ]);
    assert.deepEqual(await detail("/bounds?lt=3"), [
      { type: "less_than", loc: ["query", "lt"], msg: "Input should be less than 3", input: "3", ctx: { lt: 3 } },
    ]);
  });

  test("string constraints", async () => {
    assert.deepEqual(await detail("/bounds?short=ab"), [
      { type: "string_too_short", loc: ["query", "short"], msg: "String should have at least 3 characters", input: "ab", ctx: { min_length: 3 } },
    ]);
    assert.deepEqual(await detail("/bounds?long=abc"), [
      { type: "string_too_long", loc: ["query", "long"], msg: "String should have at most 2 characters", input: "abc", ctx: { max_length: 2 } },
    ]);
    assert.deepEqual(await detail("/bounds?pattern=A1"), [
      { type: "string_pattern_mismatch", loc: ["query", "pattern"], msg: "String should match pattern '^[a-z]+$'", input: "A1", ctx: { pattern: "^[a-z]+$" } },
    ]);
  });

  test("enums and literals", async () => {
    assert.deepEqual(await detail("/bounds?color=pink"), [
      { type: "enum", loc: ["query", "color"], msg: "Input should be 'red', 'green' or 'blue'", input: "pink", ctx: { expected: "'red', 'green' or 'blue'" } },
    ]);
    assert.deepEqual(await detail("/bounds?one=other"), [
      { type: "literal_error", loc: ["query", "one"], msg: "Input should be 'only'", input: "other", ctx: { expected: "'only'" } },
    ]);
  });

  test("list items are located by index; list length is checked", async () => {
    assert.deepEqual(await detail("/bounds?ids=1&ids=x&ids=3&ids=y"), [
      { type: "int_parsing", loc: ["query", "ids", 1], msg: "Input should be a valid integer, unable to parse string as an integer", input: "x" },
      { type: "int_parsing", loc: ["query", "ids", 3], msg: "Input should be a valid integer, unable to parse string as an integer", input: "y" },
    ]);
    const [error] = (await detail("/bounds?ids=1")) as { type: string; loc: unknown[] }[];
    assert.equal(error!.type, "too_short");
    assert.deepEqual(error!.loc, ["query", "ids"]);
  });

  test("custom refinements are value errors carrying their message", async () => {
    assert.deepEqual(await detail("/bounds?refined=bad"), [
      { type: "value_error", loc: ["query", "refined"], msg: "Value error, must not be bad", input: "bad" },
    ]);
  });

  test("an invalid request never reaches the handler", async () => {
    let calls = 0;
    const app = new Spry({ logger: false });
    app.get("/n/{n}", { n: z.int() }, () => ++calls);
    const res = await connect(app).get("/n/x");
    assert.equal(res.status, 422);
    assert.equal(calls, 0);
  });
});

forEachTransport("asynchronous schemas", (connect) => {
  test("every failing input is listed in declaration order, parameter models and asynchronous schemas included", async () => {
    const app = new Spry({ logger: false });
    const slowly = z.int().refine(async (n) => n > 0, "must be positive");
    app.get("/order/{id}", {
      a: z.int(),
      page: query(z.object({ limit: z.int(), offset: z.int().optional() })),
      late: slowly,
      id: z.int(),
      x_token: header(z.string()),
    }, (inputs) => inputs);
    const client = connect(app);
    assert.deepEqual(await (await client.get("/order/7?a=1&limit=2&late=3", { headers: { "x-token": "t" } })).json(), { a: 1, page: { limit: 2 }, late: 3, id: 7, x_token: "t" });
    const res = await client.get("/order/x?a=no&limit=z&late=-1");
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["query", "a"], ["query", "limit"], ["path", "id"], ["header", "x-token"], ["query", "late"]]);
  });


  test("a schema with an async refinement is awaited, and its failure reported", async () => {
    const app = new Spry({ logger: false });
    const known = z.string().refine(async (name) => name === "ada", "unknown user");
    app.get("/users/{name}", { name: known, n: z.int().optional() }, ({ name, n }) => ({ name, n }));
    const client = connect(app);
    assert.deepEqual(await (await client.get("/users/ada?n=1")).json(), { name: "ada", n: 1 });
    const res = await client.get("/users/bob?n=x");
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["query", "n"], ["path", "name"]]);
  });

  // A route whose inputs are all in its body has a reader of its own (inputs/read.ts, bodyOnlyReader).
  test("a body model with an async refinement, alone or embedded, is awaited, and its failure reported", async () => {
    const app = new Spry({ logger: false });
    const Item = z.object({ name: z.string() }).refine(async (item) => item.name !== "bob", { message: "not bob", path: ["name"] });
    app.post("/items", { item: Item }, ({ item }) => item, { response: z.object({ name: z.string() }) });
    app.post("/pairs", { item: Item, n: body(z.int()) }, ({ item, n }) => ({ item, n }));
    const client = connect(app);
    assert.deepEqual(await (await client.post("/items", { json: { name: "ada", extra: 1 } })).json(), { name: "ada" });
    const refused = await client.post("/items", { json: { name: "bob" } });
    assert.equal(refused.status, 422);
    assert.deepEqual((await refused.json()).detail, [{ type: "value_error", loc: ["body", "name"], msg: "Value error, not bob", input: "bob" }]);
    assert.deepEqual(await (await client.post("/pairs", { json: { item: { name: "ada" }, n: 2 } })).json(), { item: { name: "ada" }, n: 2 });
    const both = await client.post("/pairs", { json: { item: { name: "bob" }, n: "x" } });
    assert.equal(both.status, 422);
    assert.deepEqual((await both.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["body", "n"], ["body", "item", "name"]]);
  });
});
