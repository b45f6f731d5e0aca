// inputs/accept.ts against zod itself, over many generated values: whenever the compiled check
// takes a value, zod takes it too and gives back the same output (same keys in the same order,
// same values, a new object or array where zod makes one); and the values of the declared
// types do take the short way. The routes' answers, 422 bodies included, are the other tests'.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { AsSent, compileAccept, keepsInput, MISS } from "../../src/framework/inputs/accept.ts";
import { compileSameJson } from "../../src/framework/body/json-echo.ts";
import { compileJsonConvert, convertingSchema, type ConversionError } from "../../src/framework/body/json-convert.ts";
import type { JsonSchema } from "../../src/framework/inputs/json-schema.ts";
import { Address, Category, Item } from "./fixtures/models.ts";

let made = 0;
const COMPILED: Record<string, StandardSchemaV1> = {
  Item,
  Address,
  Category,
  int: z.int(),
  number: z.number(),
  string: z.string(),
  boolean: z.boolean(),
  null: z.null(),
  nullableDefault: z.string().nullable().default(null),
  intDefault: z.int().default(7),
  madeDefault: z.int().default(() => ++made),
  optional: z.string().optional(),
  optionalField: z.object({ a: z.string().optional(), b: z.int() }),
  defaultField: z.object({ a: z.string().default("x"), b: z.int().nullable() }),
  literal: z.literal(3),
  literals: z.literal(["a", true, null]),
  enum: z.enum(["admin", "user"]),
  list: z.array(z.int()),
  nested: z.array(z.object({ v: z.array(z.number().nullable()) })),
  protoKeys: z.object({ constructor: z.string(), toString: z.int() }),
};
const NOT_COMPILED: Record<string, StandardSchemaV1> = {
  min: z.int().min(1),
  email: z.email(),
  length: z.string().max(3),
  refine: z.string().refine((s) => s.length > 1),
  objectRefine: z.object({ a: z.string() }).refine((o) => o.a !== "x"),
  strict: z.strictObject({ a: z.string() }),
  loose: z.looseObject({ a: z.string() }),
  coerce: z.coerce.number(),
  transform: z.string().transform((s) => s.length),
  union: z.union([z.string(), z.int()]),
  date: z.date(),
  arrayMin: z.array(z.string()).min(1),
  inField: z.object({ a: z.string().min(1) }),
  int32: z.int32(),
  proto: z.object({ ["__proto__"]: z.string() }),
  // Not zod: Standard Schema gives no definition to read.
  other: { "~standard": { version: 1, vendor: "other", validate: (value: unknown) => ({ value }) } } as StandardSchemaV1,
};

// Same keys in the same order, same values (Object.is: -0 stays -0).
function assertSameOutput(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected !== "object" || expected === null) {
    assert.ok(Object.is(actual, expected), `${where}: ${String(actual)} against zod's ${String(expected)}`);
    return;
  }
  assert.equal(typeof actual, "object", where);
  assert.equal(Array.isArray(actual), Array.isArray(expected), where);
  assert.deepEqual(Object.keys(actual as object), Object.keys(expected), `${where}: keys`);
  for (const key of Object.keys(expected)) assertSameOutput((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
}

function check(name: string, schema: StandardSchemaV1, value: unknown): boolean {
  const accept = compileAccept(schema)!;
  const out = accept(value);
  if (out === MISS) return false;
  const result = (schema as z.ZodType).safeParse(value);
  assert.ok(result.success, `${name} accepted ${JSON.stringify(value)}, which zod refuses`);
  if (name !== "madeDefault") assertSameOutput(out, result.data, name);
  if (typeof value === "object" && value !== null) assert.notEqual(out, value, `${name}: a new object, as zod's`);
  return true;
}

const ITEM = { id: 42, name: "Ada", email: "ada@example.com", age: 36, score: 9.5, active: true, tags: ["a", "b"], address: { street: "s", city: "c", zip: "z" }, nickname: null, role: "admin" };
const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1.5, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, NaN, Infinity, -Infinity, 3, "3", "", "a", "admin", "user", "x", true, false, null, undefined),
  fc.string(),
);
const anyValue = fc.oneof(scalar, fc.jsonValue(), fc.array(scalar), fc.dictionary(fc.constantFrom("a", "b", "name", "children", "v", "street", "city", "zip"), fc.oneof(scalar, fc.array(scalar))));
// An item with any of its fields replaced, removed, or joined by an undeclared one.
const items = fc.record({
  field: fc.constantFrom(...Object.keys(ITEM), "extra"),
  value: fc.oneof(anyValue, fc.constant(undefined)),
  remove: fc.boolean(),
  shuffle: fc.boolean(),
}).map(({ field, value, remove, shuffle }) => {
  const item: Record<string, unknown> = { ...ITEM, address: { ...ITEM.address }, tags: [...ITEM.tags] };
  if (remove) delete item[field];
  else item[field] = value;
  return shuffle ? Object.fromEntries(Object.entries(item).reverse()) : item;
});

test("a compiled check takes only what zod takes, and gives back what zod gives", () => {
  for (const [name, schema] of Object.entries(COMPILED)) {
    assert.notEqual(compileAccept(schema), undefined, `${name} is compiled`);
    fc.assert(fc.property(anyValue, (value) => void check(name, schema, value)), { numRuns: 400 });
  }
  fc.assert(fc.property(items, (value) => void check("Item", Item, value)), { numRuns: 1000 });
});

test("the declared types take the short way", () => {
  const taken: [string, unknown][] = [
    ["Item", ITEM],
    ["Item", { ...ITEM, extra: 1, nickname: "x", score: -0, role: "user", tags: [] }],
    ["Category", { name: "a", children: [{ name: "b", children: [] }] }],
    ["int", 42],
    ["int", -0],
    ["number", 1.5],
    ["nullableDefault", undefined],
    ["nullableDefault", null],
    ["nullableDefault", "test"],
    ["intDefault", undefined],
    ["optional", undefined],
    ["optionalField", { a: "x", b: 1 }],
    ["defaultField", { b: null }],
    ["literals", true],
    ["list", [1, 2, 3]],
    ["nested", [{ v: [1, null] }]],
    ["protoKeys", { constructor: "c", toString: 1 }],
  ];
  for (const [name, value] of taken) assert.ok(check(name, COMPILED[name]!, value), `${name} takes ${JSON.stringify(value)}`);
  // A default is read from zod's definition at each use, as zod reads it.
  const madeDefault = compileAccept(COMPILED.madeDefault!)!;
  const first = madeDefault(undefined) as number;
  assert.equal(madeDefault(undefined), first + 1);
  // An optional field left out is zod's to answer (it keeps the key only if it was sent).
  assert.equal(compileAccept(COMPILED.optionalField!)!({ b: 1 }), MISS);
  assert.equal(compileAccept(Item)!({ ...ITEM, id: 1.5 }), MISS);
  assert.equal(compileAccept(Item)!({ ...ITEM, address: { ...ITEM.address, zip: 1 } }), MISS);
});

test("schemas with checks, coercion, transforms, unions, strict or loose objects, or of another library are not compiled", () => {
  for (const [name, schema] of Object.entries(NOT_COMPILED)) assert.equal(compileAccept(schema), undefined, name);
});

// inputs/read.ts keeps a body for its echo without comparing it with the model's output when
// the check that took it keeps its input: the comparison (body/json-echo.ts) must then hold.
test("a check without a default gives back its input's JSON wherever the schema looks; one with a default is not said to", () => {
  const filling = ["nullableDefault", "intDefault", "madeDefault", "defaultField"];
  for (const [name, schema] of Object.entries(COMPILED)) {
    const accept = compileAccept(schema)!;
    assert.equal(keepsInput(accept), !filling.includes(name), name);
    const same = compileSameJson(schema);
    if (!keepsInput(accept) || same === undefined) continue;
    const holds = (value: unknown) => {
      const out = accept(value);
      if (out !== MISS) assert.ok(same(out, value), `${name}: ${JSON.stringify(value)}`);
    };
    fc.assert(fc.property(anyValue, holds), { numRuns: 400 });
    if (name === "Item") fc.assert(fc.property(items, holds), { numRuns: 1000 });
  }
  assert.equal(compileAccept(COMPILED.defaultField!)!({ b: null }) === MISS, false);
});

// body/json-convert.ts asks the compiled check before it looks for values to convert: what
// the check takes as sent must be what converting first and then asking zod gives.
test("a body the compiled check takes as sent is what zod gives for its conversion, in both modes", () => {
  for (const strict of [false, true]) {
    for (const [name, schema] of Object.entries(COMPILED)) {
      const json = (schema as z.ZodType).toJSONSchema({ io: "input", unrepresentable: "any" }) as JsonSchema;
      const converting = convertingSchema(schema, json, strict)["~standard"];
      const convert = compileJsonConvert(json, strict);
      const agrees = (value: unknown) => {
        const result = converting.validate(value) as StandardSchemaV1.Result<unknown>;
        if (result.issues !== undefined) return;
        const errors: ConversionError[] = [];
        const converted = convert(value, undefined, errors);
        assert.deepEqual(errors, [], `${name}: ${JSON.stringify(value)} converts`);
        const expected = (schema as z.ZodType).safeParse(converted);
        assert.ok(expected.success, `${name}: zod takes ${JSON.stringify(value)}`);
        if (name !== "madeDefault") assertSameOutput(result.value, expected.data, name);
        if (result instanceof AsSent) assert.ok(keepsInput(compileAccept(schema)!), name);
      };
      fc.assert(fc.property(anyValue, agrees), { numRuns: 300 });
      if (name === "Item") fc.assert(fc.property(items, agrees), { numRuns: 1000 });
    }
  }
  const item = convertingSchema(Item, Item.toJSONSchema({ io: "input" }) as JsonSchema, false)["~standard"];
  assert.ok(item.validate(ITEM) instanceof AsSent);
  // The conversion makes a -0 sent as the whole body 0: the check does not answer for it.
  const int = convertingSchema(z.int(), { type: "integer" }, false)["~standard"];
  assert.ok(Object.is((int.validate(-0) as { value: unknown }).value, 0));
});
