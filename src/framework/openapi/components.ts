import type { JsonSchema } from "../inputs/json-schema.ts";

export type Io = "input" | "output";

/**
 * Named models, hoisted from each schema's `$defs` into `components.schemas`. When a model's
 * input and output forms differ (an output adds `additionalProperties: false`, a default makes
 * a field required), both are kept as `Name-Input` and `Name-Output`, as FastAPI names them.
 */
export class Components {
  readonly #defs = { input: new Map<string, JsonSchema>(), output: new Map<string, JsonSchema>() };
  readonly #pending: { schema: JsonSchema; io: Io }[] = [];

  /** Takes a schema's `$defs` and returns the schema with them removed; refs are rewritten in `finish()`. */
  add(schema: JsonSchema, io: Io): JsonSchema {
    const { $defs, $schema: _, ...rest } = schema;
    for (const [name, def] of Object.entries($defs ?? {})) this.#defs[io].set(name, def);
    this.#pending.push({ schema: rest, io });
    return rest;
  }

  /** Rewrites every `#/$defs/X` reference given to `add()` and returns components.schemas. */
  finish(fixed: Record<string, JsonSchema>): Record<string, JsonSchema> {
    const names = this.#names();
    for (const { schema, io } of this.#pending) rewrite(schema, io, names);
    const schemas: Record<string, JsonSchema> = {};
    for (const io of ["input", "output"] as const) {
      for (const [name, def] of this.#defs[io]) {
        const final = names[io].get(name)!;
        if (final in schemas) continue;
        rewrite(def, io, names);
        schemas[final] = { title: name, ...def };
      }
    }
    for (const name of Object.keys(schemas).sort()) {
      const def = schemas[name]!;
      delete schemas[name];
      schemas[name] = def;
    }
    return { ...schemas, ...fixed };
  }

  #names(): Record<Io, Map<string, string>> {
    const names = { input: new Map<string, string>(), output: new Map<string, string>() };
    for (const io of ["input", "output"] as const) {
      const other = io === "input" ? "output" : "input";
      for (const [name, def] of this.#defs[io]) {
        const twin = this.#defs[other].get(name);
        const differs = twin !== undefined && JSON.stringify(twin) !== JSON.stringify(def);
        names[io].set(name, differs ? `${name}-${io === "input" ? "Input" : "Output"}` : name);
      }
    }
    return names;
  }
}

function rewrite(node: unknown, io: Io, names: Record<Io, Map<string, string>>): void {
  if (Array.isArray(node)) {
    for (const item of node) rewrite(item, io, names);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const ref = record.$ref;
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const name = ref.slice("#/$defs/".length);
    record.$ref = `#/components/schemas/${names[io].get(name) ?? name}`;
  }
  for (const key in record) if (key !== "$ref") rewrite(record[key], io, names);
}
