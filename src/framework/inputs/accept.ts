import type { StandardSchemaV1 } from "@standard-schema/spec";
import { GeneratedFunctions } from "../body/generated-functions.ts";

/** What an Accept answers when it cannot tell: the schema itself must validate the value. */
export const MISS: unique symbol = Symbol("spry.accept.miss");

/**
 * The value a schema gives back for `value` when it takes it, or MISS: then the schema is asked
 * as before, and its answer (its errors, word for word) is the one used. Never laxer than the
 * schema: MISS on anything it does not take for certain.
 */
export type Accept = (value: unknown) => unknown;

/** The parts of a zod 4 schema this file reads: its definition, as zod keeps it. */
interface ZodInternals {
  readonly _zod: { readonly def: ZodDef; readonly version?: { readonly major?: number } };
}

interface ZodDef {
  readonly type: string;
  readonly [key: string]: unknown;
}

const compiled = new WeakMap<object, Accept | null>();

// The compiled checks built without a `default`: what they give back holds the very JSON of
// the value they took, wherever the schema looks (a scalar is itself, a list and an object
// hold their items' and declared fields' own outputs), which is what body/json-echo.ts's
// comparison of the accepted body with the body would find again (see keepsInput).
const verbatim = new WeakSet<Accept>();

/**
 * True when `accept` gives back, for every value it takes, a value with that value's own JSON
 * wherever the schema looks: no default filled in. The input reader then knows, without
 * comparing, that the model's output for a body it took is the body (inputs/read.ts keepEcho).
 */
export function keepsInput(accept: Accept): boolean {
  return verbatim.has(accept);
}

/**
 * A schema's success (Standard Schema's result shape) whose value a compiled check that keeps
 * its input (keepsInput) gave for the value as it was sent, unconverted: its JSON is the
 * input's wherever the schema looks. body/json-convert.ts answers with it; inputs/read.ts
 * keeps the body for its echo on it without comparing the two.
 */
export class AsSent {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

/**
 * Compiles, from a zod 4 schema's own definition, a check that takes the values of the
 * commonest schemas and builds the schema's output itself: strings, numbers, integers and
 * booleans without constraints, null, literals and enums of strings, `nullable`, `optional`,
 * `default`, arrays and (stripping) objects of these. For such a schema the
 * output is fixed by the definition: the value itself for a scalar, a new array, a new object
 * with the declared keys in the declared order. zod's own check of `z.int()` and
 * `z.string().nullable().default(null)` is about 800 instructions each (callgrind, Node 24), the
 * compiled one a few dozen; on bench/apps/spry-model.ts's ten-field model, about 3,100 against
 * a few hundred.
 *
 * Undefined, and the schema always asked, for anything else: another library (Standard
 * Schema gives no definition to read), any check (`min`, `email`, `refine`), coercion,
 * transforms, unions, strict or loose objects, and a host that forbids generating code. test/framework/accept.test.ts compares it with zod over many values.
 */
export function compileAccept(schema: StandardSchemaV1): Accept | undefined {
  let accept = compiled.get(schema);
  if (accept === undefined) {
    accept = build(schema) ?? null;
    compiled.set(schema, accept);
  }
  return accept ?? undefined;
}

function build(schema: StandardSchemaV1): Accept | undefined {
  if (schema["~standard"].vendor !== "zod") return undefined;
  const internals = (schema as Partial<ZodInternals>)._zod;
  if (internals?.version?.major !== 4 || internals.def === undefined) return undefined;
  const generator = new Generator();
  const entry = generator.node(schema as unknown as ZodInternals);
  const accept = entry === undefined ? undefined : generator.source.compile<Accept>(entry, generator.constants);
  if (accept !== undefined && !generator.fills) verbatim.add(accept);
  return accept;
}

// Keys a definition may hold beyond those its type reads: a custom error message only changes
// what a failure says, and failures are the schema's to report.
const HARMLESS = new Set(["type", "error"]);

class Generator {
  readonly source = new GeneratedFunctions("v");
  /** What the generated code reads as `k`: MISS first. */
  readonly constants: unknown[] = [MISS];
  readonly #names = new Map<object, string>();
  /** Whether a `default` was compiled: its output may then hold what the input did not. */
  fills = false;

  /** The name of a generated `function fN(v)` giving the output of `schema` for v, or MISS; undefined if it cannot be built. */
  node(schema: ZodInternals): string | undefined {
    const def = schema._zod?.def;
    if (def === undefined) return undefined;
    const known = this.#names.get(def);
    if (known !== undefined) return known;
    switch (def.type) {
      case "string":
        return only(def, []) ? this.source.add(`return typeof v === "string" ? v : k[0];`) : undefined;
      case "boolean":
        return only(def, []) ? this.source.add(`return typeof v === "boolean" ? v : k[0];`) : undefined;
      case "null":
        return only(def, []) ? this.source.add(`return v === null ? v : k[0];`) : undefined;
      case "number":
        return this.#number(def);
      case "literal":
        return this.#choice(def, def.values);
      case "enum":
        return this.#choice(def, typeof def.entries === "object" && def.entries !== null ? Object.values(def.entries) : undefined);
      case "nullable":
      case "optional": {
        if (!only(def, ["innerType"])) return undefined;
        const inner = this.node(def.innerType as ZodInternals);
        const empty = def.type === "nullable" ? "null" : "undefined";
        return inner === undefined ? undefined : this.source.add(`return v === ${empty} ? v : ${inner}(v);`);
      }
      case "default":
        return this.#default(def);
      case "array": {
        if (!only(def, ["element"])) return undefined;
        const element = this.node(def.element as ZodInternals);
        if (element === undefined) return undefined;
        // Made at its length: pushing onto `[]` grows its store to 17 slots at the first item
        // (76 B for bench/apps/spry-model.ts's two tags, against 16).
        return this.source.add(
          "if (!Array.isArray(v)) return k[0];\nconst n = v.length;\nconst out = new Array(n);\n" +
            `for (let i = 0; i < n; i++) {\nconst x = ${element}(v[i]);\nif (x === k[0]) return k[0];\nout[i] = x;\n}\nreturn out;`,
        );
      }
      case "object":
        return this.#object(def);
    }
    return undefined;
  }

  #number(def: ZodDef): string | undefined {
    // z.number(): finite numbers only (zod refuses NaN and the infinities).
    if (only(def, [])) return this.source.add(`return typeof v === "number" && Number.isFinite(v) ? v : k[0];`);
    // z.int(): zod's own safe-integer format, and nothing more.
    if (only(def, ["check", "abort", "format"]) && def.check === "number_format" && def.format === "safeint" && def.abort === false) {
      return this.source.add(`return Number.isSafeInteger(v) ? v : k[0];`);
    }
    return undefined;
  }

  // zod compares with a Set (SameValueZero); for these values that is `===`.
  #choice(def: ZodDef, values: unknown): string | undefined {
    if (!only(def, def.type === "enum" ? ["entries"] : ["values"]) || !Array.isArray(values) || values.length === 0 || values.length > 16) return undefined;
    if (!values.every((value) => typeof value === "string" || (def.type === "literal" && (typeof value === "boolean" || value === null || (typeof value === "number" && Number.isFinite(value)))))) return undefined;
    return this.source.add(`return ${values.map((value) => `v === ${JSON.stringify(value)}`).join(" || ")} ? v : k[0];`);
  }

  // Read from the definition each time, as zod reads it (a default given as a function is
  // called for each use, any other is copied), and not checked by the inner schema, as zod does not.
  #default(def: ZodDef): string | undefined {
    if (!only(def, ["innerType", "defaultValue"])) return undefined;
    const inner = this.node(def.innerType as ZodInternals);
    if (inner === undefined) return undefined;
    this.fills = true;
    const at = this.constants.push(def) - 1;
    return this.source.add(`if (v === undefined) return k[${at}].defaultValue;\nconst x = ${inner}(v);\nreturn x === undefined ? k[${at}].defaultValue : x;`);
  }

  // zod's default object strips undeclared keys, and builds its output with the declared ones in
  // their declared order. A field whose output is undefined (an optional one left out) is left
  // to zod, which keeps the key or not depending on whether it was sent.
  #object(def: ZodDef): string | undefined {
    if (!only(def, ["shape"]) || typeof def.shape !== "object" || def.shape === null) return undefined;
    // Named before its body is generated: a schema may refer to itself.
    const name = this.source.name();
    this.#names.set(def, name);
    const entries = Object.entries(def.shape as Record<string, ZodInternals>);
    const lines = [`if (typeof v !== "object" || v === null || Array.isArray(v)) return k[0];`];
    const fields: string[] = [];
    for (let i = 0; i < entries.length; i++) {
      const [key, field] = entries[i]!;
      // In an object literal, "__proto__" would set the prototype instead of a key.
      if (key === "__proto__") return undefined;
      const check = this.node(field);
      if (check === undefined) return undefined;
      const at = JSON.stringify(key);
      lines.push(`const x${i} = ${check}(v[${at}]);`, `if (x${i} === k[0] || x${i} === undefined) return k[0];`);
      fields.push(`${at}: x${i}`);
    }
    lines.push(`return { ${fields.join(", ")} };`);
    this.source.define(name, lines.join("\n"));
    return name;
  }
}

// The definition holds nothing but its type, harmless keys and `allowed` (an empty `checks`
// list counts as none): any other key is a feature this file does not know, and refuses.
function only(def: ZodDef, allowed: readonly string[]): boolean {
  for (const key of Object.keys(def)) {
    if (HARMLESS.has(key) || allowed.includes(key)) continue;
    if (key === "checks" && Array.isArray(def.checks) && def.checks.length === 0) continue;
    return false;
  }
  return true;
}
