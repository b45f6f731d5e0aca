// JSON bodies convert and fail as FastAPI's do. test/framework/fastapi/answers.json holds what a
// live FastAPI (the version it names, on pydantic 2) answered to each request below, recorded
// by test/framework/fastapi/record.py from the same models; every answer is replayed against
// spry's equivalent zod models and must come back identical, status and body, except the
// differences listed in DIFFERENCES, each with spry's own answer and the reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as v from "valibot";
import { toStandardJsonSchema } from "@valibot/to-json-schema";
import { z } from "zod";
import { Spry, body, header, path } from "spry";
import { TestClient } from "spry/testing";

interface Recorded {
  request: [method: "GET" | "POST", path: string, body?: string | Record<string, string> | null, headers?: Record<string, string>];
  status: number;
  body: string;
}
const recorded = JSON.parse(readFileSync(new URL("fastapi/answers.json", import.meta.url), "utf8")) as {
  fastapi: string;
  answers: Recorded[];
};

// A numeric TypeScript enum (Python's IntEnum), as the object tsc makes of `enum N { one = 1, two = 2 }`.
const N = { one: 1, two: 2, 1: "one", 2: "two" } as const;

const Inner = z.object({ x: z.int() }).meta({ id: "Inner" });

// The field `v` of each route's model, as record.py declares it in pydantic.
const FIELDS: Record<string, z.ZodType> = {
  int: z.int(),
  float: z.number(),
  bool: z.boolean(),
  str: z.string(),
  enum: z.enum(["red", "green", "blue"]),
  list: z.array(z.int()),
  nested: Inner,
  optional: z.int().nullable().default(null),
  default: z.int().default(7),
  int_union: z.union([z.int(), z.boolean()]),
  literal: z.literal([1, "all"]),
  multiple: z.int().multipleOf(3),
  fmultiple: z.number().multipleOf(0.5),
  list1: z.array(z.int()).min(1).max(1),
  list2: z.array(z.int()).min(2).max(3),
  str1: z.string().min(1).max(1),
  str2: z.string().min(2).max(3),
  gt: z.int().gt(3),
  ge: z.number().gte(3),
  lt: z.int().lt(3),
  le: z.int().lte(3),
  email: z.email(),
  uuid: z.uuid(),
  url: z.url(),
  date: z.iso.date(),
  // pydantic takes naive and offset datetimes. zod leaves `format` out of the JSON Schema of a
  // datetime with options, and spry reads the format from there: .meta() puts it back.
  datetime: z.iso.datetime({ local: true, offset: true }).meta({ format: "date-time" }),
  list_str: z.array(z.string()),
  list_nested: z.array(Inner),
};

function referenceApp(): Spry {
  const app = new Spry({ logger: false });
  for (const [name, field] of Object.entries(FIELDS)) {
    app.post(`/${name}`, { body: z.object({ v: field }) }, ({ body }) => body);
    // pydantic's ConfigDict(strict=True) on the model: its own fields only, Inner stays lax.
    app.post(`/strict/${name}`, { body: z.object({ v: field }).meta({ strict: true }) }, ({ body }) => body);
  }
  app.get("/param-gt/{x}", { x: path(z.int().gt(3)) }, ({ x }) => x);
  app.get("/q", {
    price: z.number().nullable().default(null),
    n: z.int().nullable().default(null),
    b: z.boolean().nullable().default(null),
    u: z.union([z.int(), z.boolean()]).nullable().default(null),
  }, (inputs) => inputs);
  app.get("/h", { x_list: header(z.array(z.int())) }, ({ x_list }) => x_list);
  app.get("/lit", { x: z.literal([1, "all"]) }, ({ x }) => x);
  app.get("/lit12", { x: z.literal([1, 2]) }, ({ x }) => x);
  app.get("/intenum", { x: z.enum(N) }, ({ x }) => x);
  app.get("/intstr", { x: z.union([z.int(), z.string()]) }, ({ x }) => x);
  app.get("/strint", { x: z.union([z.string(), z.int()]) }, ({ x }) => x);
  app.get("/floatint", { x: z.union([z.number(), z.int()]) }, ({ x }) => x);
  app.get("/boolint", { x: z.union([z.boolean(), z.int()]) }, ({ x }) => x);
  app.get("/ql", { x: z.array(z.int()).min(1).max(2) }, ({ x }) => x);
  app.post("/embed", { item: Inner, importance: body(z.int()) }, (inputs) => inputs);
  app.post("/single", { importance: body(z.int()) }, ({ importance }) => importance);
  app.post("/singleopt", { item: Inner.nullable().default(null) }, ({ item }) => item);
  app.post("/listbody", { items: z.array(Inner) }, ({ items }) => items);
  return app;
}

const tooBig = (input: unknown, loc: (string | number)[] = ["body", "v"]) => ({
  type: "int_parsing_size", loc, msg: "Unable to parse input string as an integer, exceeded maximum size", input,
});
const floatParsing = (input: string) => ({
  type: "float_parsing", loc: ["body", "v"], msg: "Input should be a valid number, unable to parse string as a number", input,
});
const typeError = (type: string, msg: string, input: unknown) => ({ type, loc: ["body", "v"], msg, input });
const literal = (input: unknown) => ({ type: "literal_error", loc: ["body", "v"], msg: "Input should be 1 or 'all'", input, ctx: { expected: "1 or 'all'" } });

/**
 * Where spry answers otherwise, by design. Key: method, path and body as recorded. Value:
 * spry's status and body.
 */
const DIFFERENCES: Record<string, { why: string; status: number; body: unknown }> = {
  // Integers past 2^53: pydantic has arbitrary precision; a JS number would round them.
  'POST /int {"v":9007199254740993}': { why: "past 2^53", status: 422, body: { detail: [tooBig(9007199254740992)] } },
  'POST /int {"v":"9007199254740993"}': { why: "past 2^53", status: 422, body: { detail: [tooBig("9007199254740993")] } },
  'POST /int {"v":9007199254740992}': { why: "past 2^53 - 1", status: 422, body: { detail: [tooBig(9007199254740992)] } },
  'POST /int {"v":-9007199254740993}': { why: "past -(2^53)", status: 422, body: { detail: [tooBig(-9007199254740992)] } },
  'POST /int {"v":"99999999999999999999"}': { why: "past 2^53", status: 422, body: { detail: [tooBig("99999999999999999999")] } },
  'POST /strict/int {"v":9007199254740993}': { why: "past 2^53", status: 422, body: { detail: [tooBig(9007199254740992)] } },
  // JSON cannot carry Infinity or NaN back: FastAPI accepts them, then fails with a 500.
  'POST /float {"v":"inf"}': { why: "no infinity", status: 422, body: { detail: [floatParsing("inf")] } },
  'POST /float {"v":"nan"}': { why: "no NaN", status: 422, body: { detail: [floatParsing("nan")] } },
  'POST /float {"v":"infinity"}': { why: "no infinity", status: 422, body: { detail: [floatParsing("infinity")] } },
  'POST /float {"v":"-Infinity"}': { why: "no infinity", status: 422, body: { detail: [floatParsing("-Infinity")] } },
  'POST /float {"v":"1e400"}': { why: "no infinity", status: 422, body: { detail: [floatParsing("1e400")] } },
  // JSON.parse reads 1.0 as 1: strict mode cannot tell an integral float from an integer.
  'POST /strict/int {"v":1.0}': { why: "1.0 is 1", status: 200, body: { v: 1 } },
  'POST /strict/int {"v":-0.0}': { why: "-0.0 is 0", status: 200, body: { v: 0 } },
  'POST /strict/int {"v":1e3}': { why: "1e3 is 1000", status: 200, body: { v: 1000 } },
  'POST /strict/int {"v":1e20}': { why: "past 2^53", status: 422, body: { detail: [tooBig(1e20)] } },
  'POST /strict/int_union {"v":1.0}': { why: "1.0 is 1", status: 200, body: { v: 1 } },
  // Python's True == 1: pydantic's Literal[1] takes true. spry takes the literal values only.
  // Strict mode takes no number for a date: a timestamp is no JSON string (FastAPI: date_type too, but for every input).
  'POST /strict/date {"v":0}': { why: "strict", status: 422, body: { detail: [typeError("date_type", "Input should be a valid date", 0)] } },
  'POST /strict/date {"v":1700000000}': { why: "strict", status: 422, body: { detail: [typeError("date_type", "Input should be a valid date", 1700000000)] } },
  'POST /strict/datetime {"v":0}': { why: "strict", status: 422, body: { detail: [typeError("datetime_type", "Input should be a valid datetime", 0)] } },
  'POST /strict/datetime {"v":1700000000.5}': {
    why: "strict", status: 422, body: { detail: [typeError("datetime_type", "Input should be a valid datetime", 1700000000.5)] },
  },
  // FastAPI answers "inf" with a 500 (it cannot send the infinity back).
  'GET /q {"price":"inf"}': { why: "no infinity", status: 422, body: { detail: [{ ...floatParsing("inf"), loc: ["query", "price"] }] } },
  'GET /q {"price":"nan"}': { why: "no NaN", status: 422, body: { detail: [{ ...floatParsing("nan"), loc: ["query", "price"] }] } },
  // A URL has text only, and TypeScript no IntEnum apart from a literal: spry matches a
  // number literal by its text, where FastAPI's Literal[1] refuses "1" (its IntEnum takes it).
  'GET /lit {"x":"1"}': { why: "literal by text", status: 200, body: 1 },
  'GET /lit12 {"x":"1"}': { why: "literal by text", status: 200, body: 1 },
  // ...and a numeric enum is a literal to the schema: pydantic calls the error `enum`.
  'GET /intenum {"x":"3"}': { why: "enum is literal", status: 422, body: { detail: [{ ...literal("3"), loc: ["query", "x"], msg: "Input should be 1 or 2", ctx: { expected: "1 or 2" } }] } },
  'GET /intenum {"x":"x"}': { why: "enum is literal", status: 422, body: { detail: [{ ...literal("x"), loc: ["query", "x"], msg: "Input should be 1 or 2", ctx: { expected: "1 or 2" } }] } },
  'POST /literal {"v":true}': { why: "true is no 1", status: 422, body: { detail: [literal(true)] } },
  'POST /strict/literal {"v":true}': { why: "true is no 1", status: 422, body: { detail: [literal(true)] } },
};

// FastAPI validates bodies in pydantic's Python mode, so its strict mode refuses every JSON
// string for an enum, a UUID, a date or a datetime (`is_instance_of`, `date_type`): no JSON
// could pass. spry's strict mode takes JSON's types, so there a string is a string, checked
// by the schema as in lax mode.
const STRICT_AS_LAX = new Set(["/strict/enum", "/strict/uuid", "/strict/date", "/strict/datetime"]);

// pydantic answers with its own rendering of a URL, an email, a date or a datetime
// (`https://example.com/`, microseconds); spry answers with the string the schema returned.
const RENDERED = new Set(["/url", "/strict/url", "/email", "/strict/email", "/datetime", "/date"]);

// What zod's formats accept differs from pydantic's validators at the edges (zod's email
// wants a two-letter top-level domain, its URL no surrounding spaces, its UUID a version);
// there the status differs and spry's reason is the nearest pydantic gives.
const FORMAT_EDGES: Record<string, number> = {
  'POST /email {"v":"a@b.c"}': 422,
  'POST /email {"v":" a@example.com"}': 422,
};

function key(request: Recorded["request"]): string {
  const [method, path, body] = request;
  return `${method} ${path}${body === undefined || body === null ? "" : ` ${typeof body === "string" ? body : JSON.stringify(body)}`}`;
}

const client = new TestClient(referenceApp());

// valibot, through @valibot/to-json-schema's Standard JSON Schema: the same conversion.
const vInt = v.pipe(v.number(), v.integer());
const vInner = v.object({ x: vInt });
const VALIBOT_FIELDS: Record<string, v.GenericSchema> = {
  int: vInt,
  float: v.number(),
  bool: v.boolean(),
  str: v.string(),
  list: v.array(vInt),
  nested: vInner,
  int_union: v.union([vInt, v.boolean()]),
  multiple: v.pipe(vInt, v.multipleOf(3)),
  list1: v.pipe(v.array(vInt), v.minLength(1), v.maxLength(1)),
  list2: v.pipe(v.array(vInt), v.minLength(2), v.maxLength(3)),
  str1: v.pipe(v.string(), v.minLength(1), v.maxLength(1)),
  str2: v.pipe(v.string(), v.minLength(2), v.maxLength(3)),
  gt: v.pipe(vInt, v.gtValue(3)),
  ge: v.pipe(v.number(), v.minValue(3)),
  lt: v.pipe(vInt, v.ltValue(3)),
  le: v.pipe(vInt, v.maxValue(3)),
  list_str: v.array(v.string()),
  list_nested: v.array(vInner),
};
const valibotApp = new Spry({ logger: false });
for (const [name, field] of Object.entries(VALIBOT_FIELDS)) {
  valibotApp.post(`/${name}`, { body: toStandardJsonSchema(v.object({ v: field })) }, ({ body }) => body);
  valibotApp.post(`/strict/${name}`, { body: toStandardJsonSchema(v.pipe(v.object({ v: field }), v.metadata({ strict: true }))) }, ({ body }) => body);
}
const valibotClient = new TestClient(valibotApp);

async function ask(request: Recorded["request"], on = client): Promise<{ status: number; body: unknown }> {
  const [method, path, body, headers] = request;
  const res = method === "GET"
    ? await on.get(path, { query: (body ?? undefined) as Record<string, string> | undefined, headers })
    : await on.post(path, { body: body as string, headers: { "content-type": "application/json" } });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

const byRoute = new Map<string, Recorded[]>();
for (const answer of recorded.answers) {
  if (answer.request[1].endsWith("/httpurl")) continue; // no JSON Schema for a URL's allowed schemes
  const route = answer.request[1];
  byRoute.set(route, [...(byRoute.get(route) ?? []), answer]);
}

for (const [route, answers] of byRoute) {
  test(`${route}: ${answers.length} requests answered as FastAPI ${recorded.fastapi} answers them`, async () => {
    for (const answer of answers) {
      const name = key(answer.request);
      const got = await ask(answer.request);
      const difference = DIFFERENCES[name];
      if (difference !== undefined) {
        assert.deepEqual(got, { status: difference.status, body: difference.body }, `${name} (${difference.why})`);
        continue;
      }
      if (FORMAT_EDGES[name] !== undefined) {
        assert.equal(got.status, FORMAT_EDGES[name], `${name}: ${JSON.stringify(got.body)}`);
        continue;
      }
      if (STRICT_AS_LAX.has(route)) {
        const lax = recorded.answers.find((a) => key(a.request) === name.replace("/strict/", "/"));
        assert.ok(lax, `${name} has a lax twin`);
        assert.deepEqual(got, await ask(lax.request), `${name} answers as in lax mode`);
        continue;
      }
      const expected = { status: answer.status, body: JSON.parse(answer.body) };
      if (RENDERED.has(route) && answer.status === 200) {
        assert.equal(got.status, 200, `${name}: ${JSON.stringify(got.body)}`);
        continue;
      }
      assert.deepEqual(got, expected, name);
    }
  });
}

test("valibot models convert and fail as the zod ones do, and as FastAPI", async () => {
  let compared = 0;
  for (const answer of recorded.answers) {
    const route = answer.request[1];
    if (answer.request[0] !== "POST" || VALIBOT_FIELDS[route.replace(/^\/(strict\/)?/, "")] === undefined) continue;
    const name = key(answer.request);
    const expected = DIFFERENCES[name] ?? { status: answer.status, body: JSON.parse(answer.body) };
    assert.deepEqual(await ask(answer.request, valibotClient), { status: expected.status, body: expected.body }, name);
    compared++;
  }
  assert.ok(compared > 200, `${compared} requests compared`);
});

test("every recorded difference is still one (none is stale)", () => {
  const names = new Set(recorded.answers.map((a) => key(a.request)));
  for (const name of [...Object.keys(DIFFERENCES), ...Object.keys(FORMAT_EDGES)]) assert.ok(names.has(name), name);
});
