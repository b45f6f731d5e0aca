// body/json-unchanged.ts against body/json-convert.ts, over many generated bodies: whenever the
// check says a body is already in its converted form, the conversion gives back that very value
// with no error (so skipping it changes nothing), and bodies of the declared types do take the
// short way. The routes' answers, 422 bodies included, are test/framework/body-conversion.test.ts's.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import { compileJsonConvert, convertingSchema, type ConversionError } from "../../src/framework/body/json-convert.ts";
import { compileUnchanged } from "../../src/framework/body/json-unchanged.ts";
import { inputJsonSchema, type JsonSchema } from "../../src/framework/inputs/json-schema.ts";
import { Address, Category, Item } from "./fixtures/models.ts";

const zodSchemas: Record<string, z.ZodType> = {
  item: Item,
  formats: z.object({ id: z.uuid(), day: z.iso.date(), at: z.iso.datetime(), site: z.url(), mail: z.email() }),
  unions: z.object({ either: z.union([z.int(), z.string()]), shape: z.union([Address, z.object({ lat: z.number() })]), maybe: Address.nullable() }),
  literals: z.object({ one: z.literal(1), flag: z.literal(true), level: z.enum(["a", "b", "c"]), none: z.null() }),
  records: z.object({ counts: z.record(z.string(), z.int()), loose: z.looseObject({ n: z.int() }), extra: z.object({ n: z.int() }).catchall(z.boolean()) }),
  recursive: z.object({ root: Category }),
  strictModel: z.object({ n: z.int(), inner: z.object({ m: z.int() }).meta({ strict: true }), lax: z.object({ b: z.boolean() }).meta({ strict: false }) }),
  lists: z.array(z.object({ n: z.number(), xs: z.array(z.int()).optional() })),
  optional: z.object({ n: z.int().optional(), s: z.string().default("x") }),
  root: z.int(),
};
const jsonSchemas: Record<string, JsonSchema> = {
  ...Object.fromEntries(Object.entries(zodSchemas).map(([name, schema]) => [name, inputJsonSchema(schema)!])),
  typeArray: { type: "object", properties: { v: { type: ["integer", "string"] }, w: { type: ["number", "null"] } } },
  allOf: { allOf: [{ type: "object", properties: { n: { type: "integer" } } }] },
  objectEnum: { type: "object", properties: { v: { enum: [{ a: 1 }, [1], "x"] } } },
  noType: { properties: { n: { type: "integer" } } },
  danglingRef: { type: "object", properties: { n: { $ref: "#/$defs/Missing" } } },
};

// Values near a schema: mostly of the declared types, often not (numeric text, floats, -0,
// booleans for numbers, nulls, missing and extra keys, any JSON at all).
function near(node: JsonSchema, root: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const anything = fc.jsonValue({ maxDepth: 2 });
  const wrong = fc.oneof(fc.constant(-0), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer().map(String), fc.constantFrom("1.5", "yes", "true", "0", "", " 1 "), fc.boolean(), fc.constant(null), fc.constant(2 ** 53), fc.constantFrom("550E8400-E29B-41D4-A716-446655440000", "{550e8400-e29b-41d4-a716-446655440000}", "2024-01-02T00:00", "2024-01-02", "2024-01-02 10:00+0100", "https://example.com"));
  if (depth > 4) return fc.oneof(anything, wrong);
  if (typeof node.$ref === "string") {
    const target = root.$defs?.[node.$ref.slice("#/$defs/".length)];
    return target === undefined ? anything : near(target, root, depth + 1);
  }
  if (node.allOf?.length === 1) return near(node.allOf[0]!, root, depth);
  const branches = Array.isArray(node.type) ? node.type.map((type) => ({ ...node, type })) : (node.anyOf ?? node.oneOf);
  let right: fc.Arbitrary<unknown>;
  if (branches !== undefined) right = fc.oneof(...branches.map((b) => near(b, root, depth + 1)));
  else if (node.enum !== undefined || "const" in node) right = fc.constantFrom(...(node.enum ?? [node.const]));
  else {
    switch (node.type) {
      case "integer": right = fc.oneof(fc.integer(), fc.maxSafeInteger()); break;
      case "number": right = fc.double({ noNaN: true, noDefaultInfinity: true }); break;
      case "boolean": right = fc.boolean(); break;
      case "string": right = node.format === "uuid" ? fc.uuid() : node.format === "date" ? fc.constantFrom("2024-01-02", "1999-12-31") : node.format === "date-time" ? fc.constantFrom("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123Z") : fc.string(); break;
      case "null": right = fc.constant(null); break;
      case "array": right = fc.array(typeof node.items === "object" ? near(node.items, root, depth + 1) : anything, { maxLength: 4 }); break;
      case "object": {
        const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
        const extra = typeof node.additionalProperties === "object" ? near(node.additionalProperties as JsonSchema, root, depth + 1) : anything;
        right = fc.tuple(
          fc.record(Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, near(child, root, depth + 1)])), { requiredKeys: [] }),
          fc.dictionary(fc.constantFrom("extra", "n", "zz"), extra, { maxKeys: 2 }),
        ).map(([known, more]) => ({ ...more, ...known }));
        break;
      }
      default: right = anything;
    }
  }
  return fc.oneof({ arbitrary: right, weight: 6 }, { arbitrary: wrong, weight: 1 }, { arbitrary: anything, weight: 1 });
}

for (const [name, schema] of Object.entries(jsonSchemas)) {
  for (const strict of [false, true]) {
    test(`${name}${strict ? " (strict)" : ""}: a body the check passes is one the conversion leaves as it is, without errors`, () => {
      const unchanged = compileUnchanged(schema, strict, compileJsonConvert);
      assert.ok(unchanged !== undefined, "this host allows code generation");
      const convert = compileJsonConvert(schema, strict);
      let passed = 0;
      fc.assert(
        fc.property(near(schema, schema), (value) => {
          if (!unchanged(value)) return;
          passed++;
          const errors: ConversionError[] = [];
          const converted = convert(value, undefined, errors);
          assert.ok(Object.is(converted, value), `converted: ${JSON.stringify(value)}`);
          assert.deepEqual(errors, []);
        }),
        { numRuns: 800 },
      );
      assert.ok(passed > 0, "some generated bodies take the short way");
    });
  }
}

test("a body of exactly the declared types takes the short way; one that needs converting does not", () => {
  const unchanged = compileUnchanged(jsonSchemas.item!, false, compileJsonConvert)!;
  const item = { id: 42, name: "Ada", email: "ada@example.com", age: 36, score: 9.5, active: true, tags: ["math"], address: { street: "s", city: "c", zip: "z" }, nickname: null, role: "admin" };
  assert.equal(unchanged(item), true);
  assert.equal(unchanged(undefined), true, "no body: nothing to convert");
  for (const [key, value] of [["id", "42"], ["id", 4.5], ["id", -0], ["active", 1], ["score", "9.5"], ["tags", ["a", 1]], ["address", { street: 1 }], ["nickname", 5], ["role", "root"], ["address", []]] as const) {
    assert.equal(unchanged({ ...item, [key]: value }), false, `${key}: ${JSON.stringify(value)}`);
  }
  assert.equal(unchanged([item]), false);
  assert.equal(unchanged(null), false);
});

test("the check is the conversion for strings it rewrites (UUIDs, dates) and for unions of several members", () => {
  const unchanged = compileUnchanged(jsonSchemas.formats!, false, compileJsonConvert)!;
  const canonical = { id: "550e8400-e29b-41d4-a716-446655440000", day: "2024-01-02", at: "2024-01-02T03:04:05Z", site: "https://example.com", mail: "a@b.c" };
  assert.equal(unchanged(canonical), true);
  assert.equal(unchanged({ ...canonical, id: "550E8400-E29B-41D4-A716-446655440000" }), false, "upper case is made lower");
  assert.equal(unchanged({ ...canonical, day: "2024-01-02T00:00" }), false, "midnight is made a date");
  const unions = compileUnchanged(jsonSchemas.unions!, false, compileJsonConvert)!;
  assert.equal(unions({ either: 1, shape: { lat: 1.5 }, maybe: null }), true);
  assert.equal(unions({ either: true, shape: { lat: 1.5 } }), false, "a member converts it (lax: true is 1)");
});

test("without code generation every body is converted, with the same results", () => {
  const original = globalThis.Function;
  globalThis.Function = function () {
    throw new EvalError("Code generation from strings disallowed for this context");
  } as unknown as FunctionConstructor;
  let schema: ReturnType<typeof convertingSchema>;
  try {
    assert.equal(compileUnchanged(jsonSchemas.item!, false, compileJsonConvert), undefined);
    schema = convertingSchema(Item, jsonSchemas.item!, false);
  } finally {
    globalThis.Function = original;
  }
  const result = schema["~standard"].validate({ id: "42", name: "Ada", email: "e", age: 36, score: 1, active: "yes", tags: [], address: { street: "s", city: "c", zip: "z" }, nickname: null, role: "user" });
  assert.deepEqual(result, { value: { id: 42, name: "Ada", email: "e", age: 36, score: 1, active: true, tags: [], address: { street: "s", city: "c", zip: "z" }, nickname: null, role: "user" } });
});

test("the short way and the conversion give the same schema results, values and issues alike", () => {
  const withCheck = convertingSchema(Item, jsonSchemas.item!, false);
  const convert = compileJsonConvert(jsonSchemas.item!, false);
  fc.assert(
    fc.property(near(jsonSchemas.item!, jsonSchemas.item!), (value) => {
      const errors: ConversionError[] = [];
      const converted = convert(value, undefined, errors);
      if (errors.length > 0) return; // conversion failures are merged with the issues: json-convert.test.ts
      assert.deepEqual(withCheck["~standard"].validate(value), Item["~standard"].validate(converted));
    }),
    { numRuns: 1500 },
  );
});
