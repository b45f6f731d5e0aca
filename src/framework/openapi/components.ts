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

  /**
   * Takes a schema's `$defs` and returns a copy of the schema without them, to place in the
   * document; its refs are rewritten in `finish()`. The schema given is left as it was.
   */
  add(schema: JsonSchema, io: Io): JsonSchema {
    const { $defs, $schema: _, ...copy } = schema;
    for (const [name, def] of Object.entries($defs ?? {})) this.#defs[io].set(name, def);
    this.#pending.push({ schema: copy, io });
    return copy;
  }

  /** Rewrites every `#/$defs/X` reference given to `add()` and returns components.schemas. */
  finish(fixed: Record<string, JsonSchema>): Record<string, JsonSchema> {
    const names = this.#names();
    for (const { schema, io } of this.#pending) {
      for (const key in schema) schema[key] = rewritten(schema[key], io, names);
      if (typeof schema.$ref === "string") schema.$ref = target(schema.$ref, io, names);
    }
    const schemas: Record<string, JsonSchema> = {};
    for (const io of ["input", "output"] as const) {
      for (const [name, def] of this.#defs[io]) {
        const final = names[io].get(name)!;
        if (final in schemas) continue;
        schemas[final] = { title: name, ...(rewritten(def, io, names) as JsonSchema) };
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

// Copy-on-write: a node is copied only when a `$ref` below it changes, so the shared schemas
// (cached per schema object, see jsonSchemaOf) are never modified and most nodes are not copied.
function rewritten(node: unknown, io: Io, names: Record<Io, Map<string, string>>): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const next = rewritten(node[i], io, names);
      if (next !== node[i]) (copy ??= [...node])[i] = next;
    }
    return copy ?? node;
  }
  const record = node as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const value = record[key];
    const next = key === "$ref" && typeof value === "string" ? target(value, io, names) : rewritten(value, io, names);
    if (next !== value) (copy ??= { ...record })[key] = next;
  }
  return copy ?? node;
}

function target(ref: string, io: Io, names: Record<Io, Map<string, string>>): string {
  if (!ref.startsWith("#/$defs/")) return ref;
  const name = ref.slice("#/$defs/".length);
  return `#/components/schemas/${names[io].get(name) ?? name}`;
}
