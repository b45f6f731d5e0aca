import type { StandardSchemaV1 } from "@standard-schema/spec";

/** The subset of JSON Schema (draft 2020-12) that spry reads to convert strings. */
export interface JsonSchema {
  type?: string | string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

interface StandardJsonSchemaProps {
  jsonSchema?: Record<"input" | "output", (options: { target: string }) => Record<string, unknown>>;
}

// Keyed by schema object: a model shared by many routes is converted once. Callers must not
// mutate what they get.
const caches = { input: new WeakMap<object, JsonSchema | null>(), output: new WeakMap<object, JsonSchema | null>() };

/**
 * The JSON Schema of what a schema accepts (`input`) or produces (`output`), through Standard
 * JSON Schema (zod 4.2+, arktype, and others). Undefined when the library offers none or the
 * schema has no JSON form (a zod date, say): such inputs are handed to the schema as strings.
 * The result is shared: read it, never change it.
 */
export function jsonSchemaOf(schema: StandardSchemaV1, io: "input" | "output"): JsonSchema | undefined {
  const cache = caches[io];
  let cached = cache.get(schema);
  if (cached === undefined) {
    const standard = schema["~standard"] as StandardSchemaV1["~standard"] & StandardJsonSchemaProps;
    try {
      cached = (standard.jsonSchema?.[io]({ target: "draft-2020-12" }) as JsonSchema | undefined) ?? null;
    } catch {
      cached = null;
    }
    cache.set(schema, cached);
  }
  return cached ?? undefined;
}

/** The JSON Schema of what a schema accepts; see jsonSchemaOf. */
export function inputJsonSchema(schema: StandardSchemaV1): JsonSchema | undefined {
  return jsonSchemaOf(schema, "input");
}

/** Follows `$ref`s into the root's `$defs`, and unwraps a lone `allOf`. */
export function resolve(node: JsonSchema, root: JsonSchema): JsonSchema {
  for (let depth = 0; depth < 32; depth++) {
    if (typeof node.$ref === "string" && node.$ref.startsWith("#/$defs/")) {
      const target = root.$defs?.[node.$ref.slice("#/$defs/".length)];
      if (target === undefined) return node;
      node = target;
    } else if (node.allOf?.length === 1) {
      node = node.allOf[0]!;
    } else {
      return node;
    }
  }
  return node;
}

/** The node without its `null` alternative: `string | null` reads as `string` from a URL. */
export function withoutNull(node: JsonSchema, root: JsonSchema): JsonSchema {
  node = resolve(node, root);
  if (Array.isArray(node.type)) {
    const types = node.type.filter((t) => t !== "null");
    return types.length === 1 ? { ...node, type: types[0]! } : { ...node, type: types };
  }
  const union = node.anyOf ?? node.oneOf;
  if (union !== undefined) {
    const rest = union.filter((branch) => resolve(branch, root).type !== "null");
    if (rest.length === 1) return withoutNull(rest[0]!, root);
    if (rest.length !== union.length) return { anyOf: rest };
  }
  return node;
}
