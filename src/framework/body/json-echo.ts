import type { StandardSchemaV1 } from "@standard-schema/spec";
import { jsonSchemaOf, type JsonSchema } from "../inputs/json-schema.ts";
import type { InputPlan, InputSpec } from "../inputs/spec.ts";
import type { RouteOptions } from "../route-options.ts";
import { GeneratedFunctions } from "./generated-functions.ts";

/** True when `value` holds the same JSON as `body` wherever the schema looks, and nowhere can hold more. */
export type SameJson = (value: unknown, body: unknown) => boolean;

/**
 * Compiles, for a route whose response model is the very schema of its JSON body (the route
 * that echoes, or returns, what it was sent), the check that lets the response skip its second
 * validation: the returned value holds the same JSON as the body the model accepted, wherever
 * the model's output JSON Schema looks. Both are the model's output then (the body was checked
 * to be so when it was validated, see the input reader), and the model, asked again, would
 * give back an equal value: what it reads of a value is what the schema describes. So the
 * answer, and the bytes the serializer writes, are what validating again gives, as FastAPI's
 * second validation would, without its cost (on bench/apps/spry-model.ts's ten fields, zod's
 * validation and the copy it makes, about 1 KB a request).
 *
 * Undefined, and the response always validated, unless every node of the output schema is one
 * this check can compare in full: JSON's scalars, enums, lists, objects that keep no undeclared
 * key, `X | null`, and references to these. A model that refuses undeclared keys on the way in
 * (zod's `strictObject`) would refuse a returned value that has gained one: it is left out, as
 * is a schema with no JSON form (a transform, a date), and a host that forbids generating code.
 * The one assumption: the model answers the same for the same value (no refinement that reads
 * the clock or the network synchronously).
 */
export function compileSameJson(model: StandardSchemaV1): SameJson | undefined {
  const output = jsonSchemaOf(model, "output");
  const input = jsonSchemaOf(model, "input");
  if (output === undefined || input === undefined || refusesExtraKeys(input)) return undefined;
  const generator = new Generator(output);
  const check = generator.node(output);
  if (check === undefined) return undefined;
  return generator.source.compile<SameJson>(check);
}

const SCALARS = new Set(["string", "number", "integer", "boolean", "null"]);

class Generator {
  readonly source = new GeneratedFunctions("v, b");
  readonly #root: JsonSchema;
  readonly #refs = new Map<string, string>();

  constructor(root: JsonSchema) {
    this.#root = root;
  }

  /** The name of a generated `function fN(v, b)` comparing `node`'s values, or undefined if it cannot. */
  node(node: JsonSchema): string | undefined {
    if (typeof node.$ref === "string") return this.#ref(node.$ref);
    if (node.allOf !== undefined) return node.allOf.length === 1 && Object.keys(node).length === 1 ? this.node(node.allOf[0]!) : undefined;
    if (node.enum !== undefined || "const" in node) {
      const values = node.enum ?? [node.const];
      return values.every((v) => v === null || typeof v !== "object") ? this.#scalar() : undefined;
    }
    const branches = Array.isArray(node.type) ? node.type.map((type) => ({ type })) : (node.anyOf ?? node.oneOf);
    if (branches !== undefined) return this.#union(branches);
    if (typeof node.type !== "string") return undefined;
    if (SCALARS.has(node.type)) return this.#scalar();
    if (node.type === "array") return this.#list(node);
    if (node.type === "object") return this.#object(node);
    return undefined;
  }

  #ref(ref: string): string | undefined {
    let name = this.#refs.get(ref);
    if (name !== undefined) return name;
    const target = ref === "#" ? this.#root : ref.startsWith("#/$defs/") ? this.#root.$defs?.[ref.slice("#/$defs/".length)] : undefined;
    if (target === undefined) return undefined;
    // Named before its body is generated: a model may refer to itself.
    name = this.source.name();
    this.#refs.set(ref, name);
    const inner = this.node(target);
    if (inner === undefined) return undefined;
    this.source.define(name, `return ${inner}(v, b);`);
    return name;
  }

  // JSON's scalars and enum members are equal when they are the same value.
  #scalar(): string {
    return this.source.add("return v === b;");
  }

  // Scalars or null, one list or object or null: anything else is a union whose member a
  // model picks by trying each, which this check leaves to the model.
  #union(branches: readonly JsonSchema[]): string | undefined {
    const rest = branches.filter((b) => b.type !== "null");
    if (rest.every((b) => typeof b.type === "string" && SCALARS.has(b.type))) return this.#scalar();
    if (rest.length !== 1) return undefined;
    const only = this.node(rest[0]!);
    if (only === undefined) return undefined;
    return rest.length === branches.length ? only : this.source.add(`return v === null || b === null ? v === b : ${only}(v, b);`);
  }

  #list(node: JsonSchema): string | undefined {
    if (node.prefixItems !== undefined || typeof node.items !== "object") return undefined;
    const item = this.node(node.items);
    if (item === undefined) return undefined;
    return this.source.add(
      "if (!Array.isArray(v) || !Array.isArray(b) || v.length !== b.length) return false;\n" +
        `for (let i = 0; i < v.length; i++) if (!${item}(v[i], b[i])) return false;\nreturn true;`,
    );
  }

  // Only an object that keeps no undeclared key (zod's default strips them): then the declared
  // ones are all the model reads and all the serializer writes.
  #object(node: JsonSchema): string | undefined {
    if (node.additionalProperties !== false || node.patternProperties !== undefined) return undefined;
    const lines = [
      `if (typeof v !== "object" || v === null || Array.isArray(v) || typeof b !== "object" || b === null || Array.isArray(b)) return false;`,
      "let x, y;",
    ];
    for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
      const compare = this.node(child);
      if (compare === undefined) return undefined;
      const at = JSON.stringify(key);
      // Absent and undefined are the same to JSON and to the model.
      lines.push(`x = v[${at}]; y = b[${at}];`, `if (x !== y && (x === undefined || y === undefined || !${compare}(x, y))) return false;`);
    }
    lines.push("return true;");
    return this.source.add(lines.join("\n"));
  }
}

// `additionalProperties: false` in what a model accepts: it refuses undeclared keys.
function refusesExtraKeys(node: unknown): boolean {
  if (typeof node !== "object" || node === null) return false;
  if (Array.isArray(node)) return node.some(refusesExtraKeys);
  const record = node as Record<string, unknown>;
  if (record.additionalProperties === false) return true;
  return Object.values(record).some(refusesExtraKeys);
}

/** A route that may send back its validated JSON body without validating it again (see compileSameJson). */
export interface Echo {
  /** The body input whose schema is the response model. */
  readonly spec: InputSpec;
  readonly same: SameJson;
  /** Where in the request's values the reader keeps the accepted body: after every owner's. */
  readonly slot: number;
}

/** The route's echo, when its response model for its status is the schema of one of its own JSON body inputs. */
export function planEcho(plan: InputPlan, options: Pick<RouteOptions, "status" | "response" | "responses">): Echo | undefined {
  const model = options.response ?? options.responses?.[options.status ?? 200]?.model;
  if (model === undefined || plan.body?.kind !== "json") return undefined;
  const spec = plan.body.specs.find((s) => s.owner === 0 && s.declared === model);
  const same = spec === undefined ? undefined : compileSameJson(model);
  return spec === undefined || same === undefined ? undefined : { spec, same, slot: plan.owners };
}
