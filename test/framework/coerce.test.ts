// How a string from a URL, header, cookie or form field becomes the declared type: each rule
// of inputs/coerce.ts, at the level of the converter, with FastAPI's answers (checked live,
// see test/framework/fastapi/record.py) as the expectations.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import {
  CoercionFailure,
  UnionFailure,
  choiceFailure,
  compileCoerce,
  failureDetails,
  listItems,
  toBoolean,
  toInteger,
  toNumber,
  unionTag,
} from "../../src/framework/inputs/coerce.ts";
import { inputJsonSchema, type JsonSchema } from "../../src/framework/inputs/json-schema.ts";

const schemaOf = (schema: z.ZodType): JsonSchema => inputJsonSchema(schema)!;
const coerceOf = (schema: z.ZodType) => compileCoerce(schemaOf(schema));
const failure = (value: unknown): CoercionFailure => {
  assert.ok(value instanceof CoercionFailure, `expected a failure, got ${JSON.stringify(value)}`);
  return value;
};

test("numbers: Python's float() on the text, as pydantic's lax mode", () => {
  const accepted: [string, number][] = [
    ["12.5", 12.5], ["-2.5", -2.5], ["1e-3", 0.001], ["1e10", 1e10], [".55", 0.55], ["5.", 5], ["+.5", 0.5],
    [" 1.5 ", 1.5], ["\t2\n", 2], ["1E3", 1000], ["1.5e+3", 1500], ["1_0.5", 10.5], ["1e1_0", 1e10], ["42", 42], ["-0.25", -0.25],
  ];
  for (const [text, value] of accepted) assert.equal(toNumber(text), value, text);
  for (const text of ["", " ", "abc", "1e", "e3", ".", "1.2.3", "- 1", "0x10", "inf", "nan", "Infinity", "-Infinity", "1e400", "1__0", "_1", "1_", "1 2", "١"]) {
    assert.equal(failure(toNumber(text)).type, "float_parsing", text);
  }
  assert.equal(failure(toNumber("x")).msg, "Input should be a valid number, unable to parse string as a number");
});

test("integers: digits with a sign, `_` between digits, a `.0` tail; never an exponent; never past 2^53", () => {
  const accepted: [string, number][] = [
    ["42", 42], [" 7 ", 7], ["+7", 7], ["-3", -3], ["1_000", 1000], ["2.0", 2], ["2.00", 2], ["00012", 12], ["-0", 0],
    ["9007199254740991", 9007199254740991], ["-9007199254740991", -9007199254740991],
  ];
  for (const [text, value] of accepted) assert.equal(toInteger(text), value, text);
  for (const text of ["1.5", "1e3", "1.", ".0", "abc", "", "0x10", "1__0", "_1", "1_", "1.0e0", "+", "٣"]) {
    const refused = failure(toInteger(text));
    assert.deepEqual([refused.type, refused.msg], ["int_parsing", "Input should be a valid integer, unable to parse string as an integer"], text);
  }
  for (const text of ["9007199254740992", "-9007199254740992", "99999999999999999999"]) {
    const refused = failure(toInteger(text));
    assert.deepEqual([refused.type, refused.msg], ["int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size"], text);
  }
});

test("booleans: pydantic's twelve words in any case, never trimmed", () => {
  for (const text of ["1", "on", "t", "true", "y", "yes", "TRUE", "True", "Yes", "ON", "T", "Y"]) assert.equal(toBoolean(text), true, text);
  for (const text of ["0", "off", "f", "false", "n", "no", "FALSE", "No", "OFF", "F", "N"]) assert.equal(toBoolean(text), false, text);
  for (const text of [" true", "true ", "2", "", "truee", "nope", "constructor", "toString", "__proto__"]) {
    const refused = failure(toBoolean(text));
    assert.deepEqual([refused.type, refused.msg], ["bool_parsing", "Input should be a valid boolean, unable to interpret input"], text);
  }
});

test("the converter follows the declared type, nullable or not; other types keep the text", () => {
  assert.equal(coerceOf(z.int())("5"), 5);
  assert.equal(coerceOf(z.number())("2.5"), 2.5);
  assert.equal(coerceOf(z.boolean())("yes"), true);
  assert.equal(coerceOf(z.string())("5"), "5");
  assert.equal(coerceOf(z.int().nullable())("5"), 5);
  assert.equal(coerceOf(z.int().optional().default(3))("5"), 5);
  assert.equal(coerceOf(z.object({ a: z.int() }))("5"), "5");
  assert.equal(compileCoerce(undefined)("5"), "5");
  assert.equal(compileCoerce(undefined, { type: "integer" })("5"), "5", "no node: text, whatever the root");
  assert.equal(compileCoerce({})("5"), "5");
  assert.equal(compileCoerce({ $ref: "#/$defs/N", $defs: { N: { type: "integer" } } })("5"), 5);
});

test("JSON Schema type arrays: a union of the listed types", () => {
  const intOrBool = compileCoerce({ type: ["integer", "boolean"] });
  assert.equal(intOrBool("1"), 1);
  assert.equal(intOrBool("true"), true);
  const both = failure(intOrBool("x"));
  assert.ok(both instanceof UnionFailure);
  assert.deepEqual(both.members.map(([tag, f]) => [tag, f.type]), [["int", "int_parsing"], ["bool", "bool_parsing"]]);
  assert.equal(compileCoerce({ type: ["integer", "null"] })("7"), 7);
  assert.equal(compileCoerce({ type: ["null", "number"] })("7.5"), 7.5);
  assert.equal(compileCoerce({ type: ["string", "integer"] })("7"), "7");
  assert.equal(compileCoerce({ type: ["number", "integer"] })("7"), 7);
});

test("unions with no string member: left to right, and every member's reason at its name", () => {
  const coerce = coerceOf(z.union([z.int(), z.boolean()]));
  assert.equal(coerce("1"), 1);
  assert.equal(coerce("0"), 0);
  assert.equal(coerce("true"), true);
  assert.equal(coerceOf(z.union([z.boolean(), z.int()]))("1"), true);
  assert.equal(coerceOf(z.union([z.boolean(), z.int()]))("2"), 2);
  assert.equal(coerceOf(z.union([z.number(), z.int()]))("1.5"), 1.5);
  const refused = failure(coerce("1.5"));
  assert.deepEqual(failureDetails(refused, ["query", "u"], "1.5"), [
    { type: "int_parsing", loc: ["query", "u", "int"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "1.5" },
    { type: "bool_parsing", loc: ["query", "u", "bool"], msg: "Input should be a valid boolean, unable to interpret input", input: "1.5" },
  ]);
  const withLiteral = coerceOf(z.union([z.int(), z.literal("all")]));
  assert.equal(withLiteral("5"), 5);
  assert.equal(withLiteral("all"), "all");
  assert.deepEqual(failureDetails(failure(withLiteral("some")), ["query", "v"], "some").map((d) => [d.loc, d.type, d.ctx]), [
    [["query", "v", "int"], "int_parsing", undefined],
    [["query", "v", "literal['all']"], "literal_error", { expected: "'all'" }],
  ]);
});

test("a string member takes the text as it is, wherever it stands (pydantic's exact match first)", () => {
  assert.equal(coerceOf(z.union([z.int(), z.string()]))("1"), "1");
  assert.equal(coerceOf(z.union([z.string(), z.int()]))("1"), "1");
  assert.equal(coerceOf(z.union([z.boolean(), z.number(), z.string()]))("true"), "true");
});

test("literals and enums, strings or not, match by their text", () => {
  const mixed = coerceOf(z.literal([1, "all"]));
  assert.equal(mixed("1"), 1);
  assert.equal(mixed("all"), "all");
  const refused = failure(mixed("2"));
  assert.deepEqual([refused.type, refused.msg, refused.ctx], ["literal_error", "Input should be 1 or 'all'", { expected: "1 or 'all'" }]);
  assert.equal(coerceOf(z.literal(true))("true"), true);
  assert.equal(failure(coerceOf(z.literal(true))("yes")).type, "literal_error");
  const numbers = compileCoerce({ type: "number", enum: [1, 2] });
  assert.equal(numbers("2"), 2);
  assert.equal(failure(numbers("1.0")).msg, "Input should be 1 or 2");
  const colors = coerceOf(z.enum(["red", "green"]));
  assert.equal(colors("red"), "red");
  assert.deepEqual({ ...failure(colors("blue")) }, { type: "enum", msg: "Input should be 'red' or 'green'", ctx: { expected: "'red' or 'green'" } });
  assert.equal(compileCoerce({ const: 3 })("3"), 3);
});

test("choiceFailure: enum for several strings, literal_error otherwise", () => {
  assert.deepEqual({ ...choiceFailure(["a", "b", "c"]) }, { type: "enum", msg: "Input should be 'a', 'b' or 'c'", ctx: { expected: "'a', 'b' or 'c'" } });
  assert.deepEqual({ ...choiceFailure(["a"]) }, { type: "literal_error", msg: "Input should be 'a'", ctx: { expected: "'a'" } });
  assert.deepEqual({ ...choiceFailure([1, 2]) }, { type: "literal_error", msg: "Input should be 1 or 2", ctx: { expected: "1 or 2" } });
  assert.deepEqual({ ...choiceFailure([]) }, { type: "literal_error", msg: "Input should be ", ctx: { expected: "" } });
});

test("failureDetails: a plain failure at its location, with ctx only when it has one", () => {
  const loc = ["query", "n"] as const;
  assert.deepEqual(failureDetails(failure(toInteger("x")), loc, "x"), [
    { type: "int_parsing", loc: ["query", "n"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "x" },
  ]);
  assert.ok(!("ctx" in failureDetails(failure(toInteger("x")), loc, "x")[0]!));
  const nested = new UnionFailure([["a", new UnionFailure([["b", new CoercionFailure("t", "m", { k: 1 })]])]]);
  assert.deepEqual(failureDetails(nested, loc, "v"), [{ type: "t", loc: ["query", "n", "a", "b"], msg: "m", input: "v", ctx: { k: 1 } }]);
  assert.deepEqual([nested.type, nested.msg], ["t", "m"]);
});

test("listItems: the items of a list, null for untyped items, undefined for no list", () => {
  assert.deepEqual(listItems(schemaOf(z.array(z.int()))), { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 });
  assert.equal(listItems({ type: "array" }), null);
  assert.deepEqual(listItems({ anyOf: [{ type: "array", items: { type: "boolean" } }, { type: "null" }] }), { type: "boolean" });
  assert.equal(listItems({ type: "integer" }), undefined);
  assert.equal(listItems(undefined), undefined);
  assert.equal(listItems(undefined, { type: "array" }), undefined);
  // Items by reference are found in the schema itself when no root is given (a query list's
  // schema is its own root): z.array(Color) with Color registered under $defs.
  const Color = z.enum(["red", "green"]).meta({ id: "Color" });
  const schema = schemaOf(z.array(Color));
  assert.ok(typeof (schema.items as JsonSchema).$ref === "string", "zod refers to the registered enum");
  assert.deepEqual(listItems(schema), { type: "string", enum: ["red", "green"] });
});

test("unionTag: the member names pydantic puts in a union error's location", () => {
  const root: JsonSchema = { $defs: { Inner: { type: "object" } } };
  const cases: [JsonSchema, string][] = [
    [{ type: "integer" }, "int"],
    [{ type: "number" }, "float"],
    [{ type: "boolean" }, "bool"],
    [{ type: "string" }, "str"],
    [{ type: "null" }, "none"],
    [{ type: "array", items: { type: "integer" } }, "list[int]"],
    [{ type: "array" }, "list[any]"],
    [{ type: "object", title: "Pet" }, "Pet"],
    [{ type: "object" }, "dict"],
    [{ $ref: "#/$defs/Inner" }, "Inner"],
    [{ type: "string", const: "all" }, "literal['all']"],
    [{ type: "string", enum: ["a", "b"] }, "literal['a','b']"],
    [{ enum: [1, "x"] }, "literal[1,'x']"],
    [{ const: 3 }, "literal[3]"],
    [{ anyOf: [{ type: "integer" }] }, "union"],
  ];
  for (const [node, tag] of cases) assert.equal(unionTag(node, root), tag, JSON.stringify(node));
});
