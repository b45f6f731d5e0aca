// body/json-convert.ts rule by rule, on JSON Schemas directly: what lax and strict mode take,
// what each refusal is named, and what reaches the schema. The end-to-end comparison with a
// live FastAPI's answers is test/framework/body-conversion.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { z } from "zod";
import { compileJsonConvert, convertingSchema, type ConversionError } from "../../src/framework/body/json-convert.ts";
import type { JsonSchema } from "../../src/framework/inputs/json-schema.ts";

function run(schema: JsonSchema, value: unknown, strict = false): { value: unknown; errors: [string, string, unknown][] } {
  const errors: ConversionError[] = [];
  const converted = compileJsonConvert(schema, strict)(value, [], errors);
  return { value: converted, errors: errors.map((e) => [e.path.join("."), e.failure.type, e.input]) };
}
const ok = (schema: JsonSchema, value: unknown, expected: unknown, strict = false) =>
  assert.deepEqual(run(schema, value, strict), { value: expected, errors: [] }, `${JSON.stringify(value)}${strict ? " (strict)" : ""}`);
const refused = (schema: JsonSchema, value: unknown, type: string, strict = false) =>
  assert.deepEqual(run(schema, value, strict), { value, errors: [["", type, value]] }, `${JSON.stringify(value)}${strict ? " (strict)" : ""}`);

const INT: JsonSchema = { type: "integer" };
const NUM: JsonSchema = { type: "number" };
const BOOL: JsonSchema = { type: "boolean" };
const STR: JsonSchema = { type: "string" };

test("integer, lax: integral numbers, numeric text, booleans; int_from_float, int_parsing, int_parsing_size, int_type", () => {
  for (const [value, expected] of [[1, 1], [1.0, 1], [-0, 0], [1e3, 1000], ["1", 1], [" 1 ", 1], ["1.0", 1], [true, 1], [false, 0]] as const) ok(INT, value, expected);
  assert.ok(Object.is(run(INT, -0).value, 0), "-0 is 0");
  refused(INT, 1.5, "int_from_float");
  refused(INT, "1.5", "int_parsing");
  refused(INT, "abc", "int_parsing");
  refused(INT, 1e20, "int_parsing_size");
  refused(INT, 2 ** 53, "int_parsing_size");
  refused(INT, "9007199254740993", "int_parsing_size");
  for (const value of [null, [1], {}]) refused(INT, value, "int_type");
});

test("integer, strict: JSON integers only", () => {
  ok(INT, 7, 7, true);
  for (const value of ["1", 1.5, true, null, [], {}]) refused(INT, value, "int_type", true);
  refused(INT, 2 ** 53, "int_parsing_size", true);
});

test("number: lax takes numbers, numeric text and booleans; strict numbers only", () => {
  for (const [value, expected] of [[1, 1], [1.5, 1.5], ["1.5", 1.5], [".5", 0.5], [true, 1], [false, 0]] as const) ok(NUM, value, expected);
  refused(NUM, "abc", "float_parsing");
  refused(NUM, "inf", "float_parsing");
  for (const value of [null, [1], {}]) refused(NUM, value, "float_type");
  ok(NUM, 2.5, 2.5, true);
  for (const value of ["1.5", true, null]) refused(NUM, value, "float_type", true);
});

test("boolean: lax takes 1/0 and pydantic's words; 2 is bool_parsing, 1.5 bool_type; strict booleans only", () => {
  for (const [value, expected] of [[true, true], [false, false], [1, true], [0, false], [1.0, true], ["yes", true], ["OFF", false], ["t", true]] as const) {
    ok(BOOL, value, expected);
  }
  refused(BOOL, 2, "bool_parsing");
  refused(BOOL, -1, "bool_parsing");
  refused(BOOL, "abc", "bool_parsing");
  refused(BOOL, 1.5, "bool_type");
  for (const value of [null, [], {}]) refused(BOOL, value, "bool_type");
  ok(BOOL, false, false, true);
  for (const value of [1, 0, "true"]) refused(BOOL, value, "bool_type", true);
});

test("strings are strict in both modes; a format names its own type error", () => {
  ok(STR, "a", "a");
  for (const value of [1, 1.5, true, null, [], {}]) {
    refused(STR, value, "string_type");
    refused(STR, value, "string_type", true);
  }
  refused({ type: "string", format: "email" }, 1, "string_type");
  refused({ type: "string", format: "uuid" }, 1, "uuid_type");
  refused({ type: "string", format: "uri" }, 1, "url_type");
  refused({ type: "string", format: "date" }, null, "date_type");
  refused({ type: "string", format: "date-time" }, null, "datetime_type");
  refused({ type: "string", format: "date" }, 0, "date_type", true);
  refused({ type: "string", format: "date-time" }, 0, "datetime_type", true);
  refused({ type: "string", format: "uuid" }, true, "uuid_type", true);
});

test("UUIDs: braces, urn:uuid:, capitals and the simple form become the canonical form, in both modes", () => {
  const UUID: JsonSchema = { type: "string", format: "uuid" };
  const canonical = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  for (const text of [canonical, `{${canonical}}`, `urn:uuid:${canonical}`, canonical.toUpperCase(), canonical.replaceAll("-", "")]) {
    ok(UUID, text, canonical);
    ok(UUID, text, canonical, true);
  }
  // Left for the schema to refuse, with pydantic's reason.
  for (const text of ["6ba7b810-9dad-11d180b4-00c04fd430c8", `{${canonical}`, `${canonical}}`, `{${canonical}x`, `x${canonical}}`, "abc", `urn:uuid:${canonical}x`]) {
    ok(UUID, text, text);
  }
});

test("dates: a datetime at midnight, a whole day's timestamp (seconds, or milliseconds past 2e10)", () => {
  const DATE: JsonSchema = { type: "string", format: "date" };
  ok(DATE, "2024-01-31", "2024-01-31");
  for (const text of ["2024-01-31T00:00:00", "2024-01-31T00:00", "2024-01-31 00:00:00Z", "2024-01-31t00:00:00.000+01:00", "2024-01-31_00:00:00-0130"]) {
    ok(DATE, text, "2024-01-31");
  }
  ok(DATE, "2024-01-31T10:00:00", "2024-01-31T10:00:00");
  ok(DATE, 0, "1970-01-01");
  ok(DATE, 86_400, "1970-01-02");
  ok(DATE, -86_400, "1969-12-31");
  ok(DATE, "86400", "1970-01-02");
  ok(DATE, "+86400", "1970-01-02");
  ok(DATE, "-86400", "1969-12-31");
  ok(DATE, "86400.00", "1970-01-02");
  refused(DATE, "86400.5", "date_from_datetime_inexact");
  // pydantic reads no spaces around a timestamp: the schema refuses the text, as FastAPI does.
  for (const text of [" 86400 ", "86400 ", "86400x", "8.6e4"]) ok(DATE, text, text);
  ok(DATE, 86_400_000 * 365, "1971-01-01");
  refused(DATE, 86_400.5, "date_from_datetime_inexact");
  refused(DATE, 1_700_000_000, "date_from_datetime_inexact");
  refused(DATE, "2024", "date_from_datetime_inexact");
  refused(DATE, 1e300, "date_from_datetime_inexact");
});

test("datetimes: a date is its midnight, `t`, `_` or a space is a `T`, an offset gets its colon, a timestamp is UTC", () => {
  const DT: JsonSchema = { type: "string", format: "date-time" };
  ok(DT, "2024-01-31", "2024-01-31T00:00:00");
  ok(DT, "2024-01-31 10:00:00", "2024-01-31T10:00:00");
  ok(DT, "2024-01-31t10:00", "2024-01-31T10:00");
  ok(DT, "2024-01-31_10:00:00+0100", "2024-01-31T10:00:00+01:00");
  ok(DT, "2024-01-31T10:00:00-05:30", "2024-01-31T10:00:00-05:30");
  ok(DT, "abc", "abc");
  ok(DT, 0, "1970-01-01T00:00:00Z");
  ok(DT, -1, "1969-12-31T23:59:59Z");
  ok(DT, 1_700_000_000.5, "2023-11-14T22:13:20.500Z");
  ok(DT, "1700000000", "2023-11-14T22:13:20Z");
  ok(DT, "+1700000000", "2023-11-14T22:13:20Z");
  ok(DT, "-1", "1969-12-31T23:59:59Z");
  ok(DT, "1700000000.50", "2023-11-14T22:13:20.500Z");
  for (const text of [" 1700000000 ", "1700000000x", "2024-01-31 10:0"]) ok(DT, text, text);
  ok(DT, 1_700_000_000_000, "2023-11-14T22:13:20Z");
  refused(DT, 1e20, "datetime_parsing");
  assert.deepEqual(run(DT, 1e20).errors, [["", "datetime_parsing", 1e20]]);
});

test("enums and literals convert nothing and are checked, so that unions can tell their members apart", () => {
  ok({ enum: ["red", "green"] }, "red", "red");
  refused({ enum: ["red", "green"] }, "Red", "enum");
  refused({ enum: [1, "all"] }, "1", "literal_error");
  refused({ const: 1 }, true, "literal_error");
  ok({ type: "integer", const: 1 }, 1, 1);
  refused({ type: "null" }, 0, "none_required");
  ok({ type: "null" }, null, null);
});

test("lists: arrays only, each item converted at its index; the input is never changed", () => {
  const LIST: JsonSchema = { type: "array", items: INT };
  const input = [1, "2", 3];
  assert.deepEqual(run(LIST, input), { value: [1, 2, 3], errors: [] });
  assert.deepEqual(input, [1, "2", 3]);
  const same = [1, 2];
  assert.equal(run(LIST, same).value, same, "nothing converted, nothing copied");
  assert.deepEqual(run(LIST, [1, "x", 2.5]).errors, [["1", "int_parsing", "x"], ["2", "int_from_float", 2.5]]);
  for (const value of ["1", { a: 1 }, null, 1]) refused(LIST, value, "list_type");
  ok({ type: "array" }, ["x", 1], ["x", 1]);
  assert.deepEqual(run({ type: "object", properties: { l: LIST } }, { l: "x" }).errors, [["l", "list_type", "x"]]);
  ok({ type: "array", items: false } as unknown as JsonSchema, [1], [1]);
});

test("objects: models refuse non-objects with model_attributes_type, records with dict_type; fields are converted, others kept", () => {
  const MODEL: JsonSchema = { type: "object", properties: { n: INT, s: STR } };
  const input = { n: "1", s: "x", extra: "2" };
  assert.deepEqual(run(MODEL, input), { value: { n: 1, s: "x", extra: "2" }, errors: [] });
  assert.deepEqual(input, { n: "1", s: "x", extra: "2" });
  const same = { n: 1 };
  assert.equal(run(MODEL, same).value, same);
  ok(MODEL, {}, {});
  for (const value of ["x", [], null, 1]) refused(MODEL, value, "model_attributes_type");
  const RECORD: JsonSchema = { type: "object", additionalProperties: INT };
  ok(RECORD, { a: "1", b: 2 }, { a: 1, b: 2 });
  const clean = { a: 1 };
  assert.equal(run(RECORD, clean).value, clean, "nothing converted, nothing copied");
  assert.deepEqual(run({ type: "object", properties: { m: MODEL } }, { m: "x" }).errors, [["m", "model_attributes_type", "x"]]);
  refused(RECORD, [], "dict_type");
  const BOTH: JsonSchema = { type: "object", properties: { s: STR }, additionalProperties: INT };
  assert.deepEqual(run(BOTH, { s: "1", a: "x" }).errors, [["a", "int_parsing", "x"]]);
  ok(BOTH, { s: "1", a: "2" }, { s: "1", a: 2 }, false);
  ok({ type: "object", additionalProperties: null } as JsonSchema, { a: "1" }, { a: "1" });
  // A field named like an Object method is read from the body only: an absent one stays absent.
  ok({ type: "object", properties: { toString: INT, constructor: INT } }, {}, {});
  ok({ type: "object", properties: { toString: INT } }, { toString: "1" }, { toString: 1 });
  ok({ type: "object", properties: { n: INT }, additionalProperties: false }, { n: "2", x: "y" }, { n: 2, x: "y" });
  assert.deepEqual(run(MODEL, { n: "a", s: 1 }).errors, [["n", "int_parsing", "a"], ["s", "string_type", 1]]);
});

test("$ref, $defs and a lone allOf are followed; a model may refer to itself", () => {
  const TREE: JsonSchema = {
    $ref: "#/$defs/Node",
    $defs: { Node: { type: "object", properties: { v: INT, children: { type: "array", items: { $ref: "#/$defs/Node" } } } } },
  };
  ok(TREE, { v: "1", children: [{ v: "2", children: [] }] }, { v: 1, children: [{ v: 2, children: [] }] });
  assert.deepEqual(run(TREE, { v: 1, children: [{ v: "x" }] }).errors, [["children.0.v", "int_parsing", "x"]]);
  ok({ allOf: [INT] }, "3", 3);
  ok({ $ref: "#/$defs/Missing" }, "3", "3");
  ok({ $ref: "http://example.com/x" }, "3", "3");
  ok({ $ref: "#/other/N", $defs: { N: INT } }, "3", "3");
  ok({}, "3", "3");
});

test("strict per model: its own fields; a nested model goes back to the route's mode; a $ref's sibling strict counts", () => {
  const root: JsonSchema = {
    type: "object",
    strict: true,
    properties: { n: INT, inner: { type: "object", properties: { m: INT } }, lax: { type: "object", strict: false, properties: { k: INT } } },
  };
  assert.deepEqual(run(root, { n: "1", inner: { m: "2" }, lax: { k: "3" } }).errors, [["n", "int_type", "1"]]);
  assert.deepEqual(run(root, { n: 1, inner: { m: "2" } }, true).errors, [["inner.m", "int_type", "2"]]);
  const viaRef: JsonSchema = { $ref: "#/$defs/S", $defs: { S: { strict: true, $ref: "#/$defs/M" }, M: { type: "object", properties: { n: INT } } } };
  assert.deepEqual(run(viaRef, { n: "1" }).errors, [["n", "int_type", "1"]]);
  const viaAllOf: JsonSchema = { allOf: [{ type: "object", properties: { n: INT } }], strict: true };
  assert.deepEqual(run(viaAllOf, { n: "1" }).errors, [["n", "int_type", "1"]]);
  const refInAllOf: JsonSchema = { allOf: [{ $ref: "#/$defs/M" }], strict: true, $defs: { M: { type: "object", properties: { n: INT } } } };
  assert.deepEqual(run(refInAllOf, { n: "1" }).errors, [["n", "int_type", "1"]]);
  const allOfInRef: JsonSchema = { $ref: "#/$defs/S", strict: true, $defs: { S: { allOf: [{ type: "object", properties: { n: INT } }] } } };
  assert.deepEqual(run(allOfInRef, { n: "1" }).errors, [["n", "int_type", "1"]]);
  // A dictionary is no model: it keeps the strictness of the model it is in.
  const record: JsonSchema = { type: "object", strict: true, properties: { r: { type: "object", additionalProperties: INT } } };
  assert.deepEqual(run(record, { r: { a: "1" } }).errors, [["r.a", "int_type", "1"]]);
  const field: JsonSchema = { type: "object", properties: { a: INT, b: { type: "integer", strict: true } } };
  assert.deepEqual(run(field, { a: "1", b: "2" }).errors, [["b", "int_type", "2"]]);
});

test("unions: an exact match first, then the first member that converts, then every member's reason by name", () => {
  const U: JsonSchema = { anyOf: [INT, BOOL] };
  ok(U, 1, 1);
  ok(U, true, true);
  ok(U, "1", 1);
  ok(U, "true", true);
  ok({ anyOf: [STR, INT] }, "1", "1");
  ok({ anyOf: [INT, STR] }, "1", "1");
  ok({ anyOf: [NUM, BOOL] }, true, true);
  assert.deepEqual(run(U, "x"), { value: "x", errors: [["int", "int_parsing", "x"], ["bool", "bool_parsing", "x"]] });
  assert.deepEqual(run(U, null).errors, [["int", "int_type", null], ["bool", "bool_type", null]]);
  assert.deepEqual(run(U, "1", true).errors, [["int", "int_type", "1"], ["bool", "bool_type", "1"]]);
  ok({ type: ["integer", "boolean"] }, "0", 0);
  ok({ oneOf: [INT, BOOL] }, "yes", true);
  const models: JsonSchema = {
    anyOf: [{ $ref: "#/$defs/A" }, INT],
    $defs: { A: { type: "object", properties: { x: INT } } },
  };
  assert.deepEqual(run(models, { x: "y" }).errors, [["A.x", "int_parsing", "y"], ["int", "int_type", { x: "y" }]]);
  ok(models, { x: "1" }, { x: 1 });
  // Inside a model, a member's failures are named after the field and then the member.
  const field: JsonSchema = { type: "object", properties: { u: U } };
  assert.deepEqual(run(field, { u: "x" }).errors, [["u.int", "int_parsing", "x"], ["u.bool", "bool_parsing", "x"]]);
  // The exact pass is strict all the way down: a nested model's "1" is no exact match, so a
  // dictionary that takes the value as it is wins (pydantic returns {"x": {"y": "1"}} too).
  const nested: JsonSchema = {
    anyOf: [{ $ref: "#/$defs/A" }, { type: "object" }],
    $defs: { A: { type: "object", properties: { x: { $ref: "#/$defs/B" } } }, B: { type: "object", properties: { y: INT } } },
  };
  ok(nested, { x: { y: "1" } }, { x: { y: "1" } });
  ok(nested, { x: { y: 1 } }, { x: { y: 1 } });
  ok(U, undefined, undefined);
});

test("nullable is no union: null passes, other values meet the one type, errors carry no member name", () => {
  const N: JsonSchema = { anyOf: [INT, { type: "null" }] };
  ok(N, null, null);
  ok(N, "2", 2);
  assert.deepEqual(run(N, "a").errors, [["", "int_parsing", "a"]]);
  ok({ type: ["integer", "null"] }, null, null);
  ok({ anyOf: [INT] }, "2", 2);
  const NU: JsonSchema = { anyOf: [INT, BOOL, { type: "null" }] };
  ok(NU, null, null);
  assert.deepEqual(run(NU, "x").errors, [["int", "int_parsing", "x"], ["bool", "bool_parsing", "x"]]);
});

test("undefined (an absent field) is left for the schema: default, optional or missing", () => {
  for (const schema of [INT, NUM, BOOL, STR, { type: "array", items: INT }, { type: "object", properties: {} }] as JsonSchema[]) ok(schema, undefined, undefined);
});

const sync = (schema: StandardSchemaV1, value: unknown) => schema["~standard"].validate(value) as StandardSchemaV1.Result<unknown>;

test("convertingSchema: the schema validates the converted value; a conversion's error replaces the schema's issue about it", async () => {
  const Model = z.object({ a: z.int(), b: z.string().min(3), c: z.int() });
  const converting = convertingSchema(Model, Model.toJSONSchema() as JsonSchema, false);
  assert.deepEqual(sync(converting, { a: "1", b: "abc", c: 2 }), { value: { a: 1, b: "abc", c: 2 } });
  const result = sync(converting, { a: "x", b: "ab", c: 1.5 });
  assert.deepEqual(result.issues?.map((i) => [i.path, (i as { pydantic?: { type: string } }).pydantic?.type ?? i.message]), [
    [["a"], "int_parsing"],
    [["b"], "Too small: expected string to have >=3 characters"],
    [["c"], "int_from_float"],
  ]);
  assert.deepEqual((result.issues![0] as unknown as { pydantic: unknown }).pydantic, {
    type: "int_parsing", msg: "Input should be a valid integer, unable to parse string as an integer", input: "x",
  });
  assert.equal(converting["~standard"].vendor, "zod");
});

test("convertingSchema: errors the schema does not see are still reported, ctx kept; async schemas are awaited", async () => {
  const loose: StandardSchemaV1 = { "~standard": { version: 1, vendor: "test", validate: (value) => ({ value }) } };
  // Every failure at its place, a union's members and nested fields included.
  const nested = convertingSchema(loose, { type: "object", properties: { u: { anyOf: [INT, BOOL] }, l: { type: "array", items: INT }, m: { type: "object", properties: { n: INT } } } }, false);
  assert.deepEqual(sync(nested, { u: "x", l: "y", m: { n: "z" } }).issues?.map((i) => [i.path, (i as unknown as { pydantic: { type: string } }).pydantic.type]), [
    [["u", "int"], "int_parsing"],
    [["u", "bool"], "bool_parsing"],
    [["l"], "list_type"],
    [["m", "n"], "int_parsing"],
  ]);
  assert.deepEqual(sync(nested, { u: "1", l: ["2"], m: { n: "3" } }), { value: { u: 1, l: [2], m: { n: 3 } } });
  const converting = convertingSchema(loose, { type: "object", properties: { e: { enum: ["a", "b"] } } }, false);
  const result = sync(converting, { e: "c" });
  assert.deepEqual(result.issues?.map((i) => (i as unknown as { pydantic: unknown }).pydantic), [
    { type: "enum", msg: "Input should be 'a' or 'b'", ctx: { expected: "'a' or 'b'" }, input: "c" },
  ]);
  const later: StandardSchemaV1 = { "~standard": { version: 1, vendor: "test", validate: async (value) => ({ value }) } };
  const asynchronous = convertingSchema(later, INT, false);
  assert.deepEqual(await asynchronous["~standard"].validate("5"), { value: 5 });
  const failed = await asynchronous["~standard"].validate("x");
  assert.deepEqual(failed.issues?.map((i) => [i.path, i.message]), [[[], "Input should be a valid integer, unable to parse string as an integer"]]);
  const strict = convertingSchema(later, INT, true);
  assert.equal((await strict["~standard"].validate("5")).issues?.[0]?.message, "Input should be a valid integer");
});

test("convertingSchema: schema issues on a failed conversion or its parent yield to it, reported once; object path keys are read", () => {
  const parent: StandardSchemaV1 = {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: () => ({ issues: [{ message: "bad list", path: [{ key: "l" }] }, { message: "bad item", path: ["l", 1] }, { message: "other", path: ["o"] }] }),
    },
  };
  const converting = convertingSchema(parent, { type: "object", properties: { l: { type: "array", items: INT } } }, false);
  const result = sync(converting, { l: [1, "x", "y"] });
  assert.deepEqual(result.issues?.map((i) => [i.path, i.message]), [
    [["l", 1], "Input should be a valid integer, unable to parse string as an integer"],
    [["l", 2], "Input should be a valid integer, unable to parse string as an integer"],
    [["o"], "other"],
  ]);
});

test("each refusal carries pydantic's message (and ctx where pydantic gives one)", () => {
  const said = (schema: JsonSchema, value: unknown, strict = false) => {
    const errors: ConversionError[] = [];
    compileJsonConvert(schema, strict)(value, [], errors);
    assert.equal(errors.length, 1, JSON.stringify(value));
    const { type, msg, ctx } = errors[0]!.failure;
    return ctx === undefined ? [type, msg] : [type, msg, ctx];
  };
  const cases: [JsonSchema, unknown, unknown[]][] = [
    [INT, null, ["int_type", "Input should be a valid integer"]],
    [INT, 1.5, ["int_from_float", "Input should be a valid integer, got a number with a fractional part"]],
    [NUM, null, ["float_type", "Input should be a valid number"]],
    [BOOL, null, ["bool_type", "Input should be a valid boolean"]],
    [STR, 1, ["string_type", "Input should be a valid string"]],
    [{ type: "array" }, 1, ["list_type", "Input should be a valid list"]],
    [{ type: "object", properties: {} }, 1, ["model_attributes_type", "Input should be a valid dictionary or object to extract fields from"]],
    [{ type: "object" }, 1, ["dict_type", "Input should be a valid dictionary"]],
    [{ type: "null" }, 1, ["none_required", "Input should be None"]],
    [{ type: "string", format: "date" }, 1.5, ["date_from_datetime_inexact", "Datetimes provided to dates should have zero time - e.g. be exact dates"]],
    [{ type: "string", format: "date-time" }, 1e20, [
      "datetime_parsing",
      "Input should be a valid datetime, dates after 9999 are not supported as unix timestamps",
      { error: "dates after 9999 are not supported as unix timestamps" },
    ]],
    [{ type: "string", format: "uuid" }, 1, ["uuid_type", "UUID input should be a string, bytes or UUID object"]],
    [{ type: "string", format: "uri" }, 1, ["url_type", "URL input should be a string or URL"]],
    [{ type: "string", format: "date" }, null, ["date_type", "Input should be a valid date"]],
    [{ type: "string", format: "date-time" }, null, ["datetime_type", "Input should be a valid datetime"]],
  ];
  for (const [schema, value, expected] of cases) assert.deepEqual(said(schema, value), expected, JSON.stringify(schema));
});

test("timestamps: seconds up to 2e10, milliseconds past it; years past 9999 refused", () => {
  const DT: JsonSchema = { type: "string", format: "date-time" };
  ok(DT, 20_000_000_000, "2603-10-11T11:33:20Z");
  ok(DT, 20_000_000_001, "1970-08-20T11:33:20.001Z");
  ok(DT, 253_402_300_799_000, "9999-12-31T23:59:59Z");
  refused(DT, 253_402_300_800_000, "datetime_parsing");
  ok({ type: "string", format: "date" }, "2024-01-31T00:00:00Zx", "2024-01-31T00:00:00Zx");
  ok({ type: "string", format: "date" }, "x2024-01-31T00:00:00", "x2024-01-31T00:00:00");
  ok({ type: "string", format: "date-time" }, "x2024-01-31", "x2024-01-31");
  ok({ type: "string", format: "date-time" }, "x2024-01-31 10:00", "x2024-01-31 10:00");
  ok({ type: "string", format: "date-time" }, "2024-01-31 10:00:00+0100x", "2024-01-31T10:00:00+0100x");
});
