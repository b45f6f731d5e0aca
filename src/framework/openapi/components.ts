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
      // Each pending schema is this document's own shallow copy: its top level may change in place.
      const top = rewritten(schema, io, names) as JsonSchema;
      for (const key of Object.keys(schema)) if (!(key in top)) delete schema[key];
      Object.assign(schema, top);
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

  // A model keeps one name when its input and output forms are the same. They differ when their
  // own JSON differs, or when a model they refer to differs (a union of Cat and Dog is
  // "Pet-Output" when Cat's output form differs from its input form), so differences are
  // spread along references until nothing changes.
  #names(): Record<Io, Map<string, string>> {
    const differs = new Set<string>();
    const refs = new Map<string, Set<string>>();
    for (const [name, input] of this.#defs.input) {
      const output = this.#defs.output.get(name);
      if (output === undefined) continue;
      if (JSON.stringify(input) !== JSON.stringify(output)) differs.add(name);
      refs.set(name, new Set([...referenced(input), ...referenced(output)]));
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, targets] of refs) {
        if (!differs.has(name) && [...targets].some((target) => differs.has(target))) {
          differs.add(name);
          changed = true;
        }
      }
    }
    const names = { input: new Map<string, string>(), output: new Map<string, string>() };
    for (const io of ["input", "output"] as const) {
      for (const name of this.#defs[io].keys()) {
        names[io].set(name, differs.has(name) ? `${name}-${io === "input" ? "Input" : "Output"}` : name);
      }
    }
    return names;
  }
}

function referenced(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referenced(item, found);
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")) found.add(value.slice("#/$defs/".length));
      else referenced(value, found);
    }
  }
  return found;
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
  // zod states every z.int()'s safe-integer range; FastAPI's documents carry no such bounds, and
  // Swagger UI would offer -9007199254740991 as the example.
  if (record.type === "integer" && (record.minimum === Number.MIN_SAFE_INTEGER || record.maximum === Number.MAX_SAFE_INTEGER)) {
    copy = { ...record };
    if (copy.minimum === Number.MIN_SAFE_INTEGER) delete copy.minimum;
    if (copy.maximum === Number.MAX_SAFE_INTEGER) delete copy.maximum;
  }
  for (const key in record) {
    if (copy !== undefined && !(key in copy)) continue;
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
