import { resolve, type JsonSchema } from "../inputs/json-schema.ts";
import { GeneratedFunctions } from "./generated-functions.ts";

/** True only when the body's conversion (compileJsonConvert) would give back this very value, with no error. */
export type Unchanged = (value: unknown) => boolean;

/**
 * The conversion of one node, compileJsonConvert itself (passed in by body/json-convert.ts,
 * which imports this file): it converts `value`, pushing what fails onto `errors`.
 */
export type ConvertNode = (node: JsonSchema, strict: boolean) => (value: unknown, path: undefined, errors: never[]) => unknown;

// String formats whose conversion rewrites a string (a UUID to its canonical form, a date at
// midnight to a date): their check is the conversion itself (see `exact`).
const REWRITTEN_FORMATS = new Set(["uuid", "date", "date-time"]);

/**
 * Compiles, from the same JSON Schema and by the same rules as compileJsonConvert, a check
 * that a parsed body is already in its converted form: every integer a safe integer, every
 * number a number, every boolean a boolean, every string a string, every enum member one of
 * its values. Most clients send exactly that, and then the conversion pass is skipped and the
 * schema validates the body as it is. A false answer only means "convert": the check may be
 * stricter than the conversion (it refuses a -0 integer, which the conversion turns into 0 at
 * the root, and reads inherited keys, which the conversion skips), never laxer.
 *
 * Generated as JavaScript source, once per route: on the ten-field model of
 * bench/apps/spry-model.ts, the generated check takes about 20-40 ns, a check built of one
 * closure per node 330-460 ns and the conversion pass itself 1,150 ns (Node 24, one process,
 * interleaved). Undefined where the host forbids code generation (a Content-Security-Policy,
 * `--disallow-code-generation-from-strings`): every body is then converted, as before.
 */
export function compileUnchanged(root: JsonSchema, strict: boolean, convertNode: ConvertNode): Unchanged | undefined {
  const generator = new Generator(root, strict, convertNode);
  const check = generator.node(root, strict, undefined);
  return generator.source.compile<Unchanged>(check, generator.constants);
}

class Generator {
  readonly source = new GeneratedFunctions("v");
  readonly constants: unknown[] = [];
  readonly #root: JsonSchema;
  /** The route's strictness, which a model without a say of its own takes. */
  readonly #strict: boolean;
  readonly #convertNode: ConvertNode;
  readonly #refs = new Map<string, string>();

  constructor(root: JsonSchema, strict: boolean, convertNode: ConvertNode) {
    this.#root = root;
    this.#strict = strict;
    this.#convertNode = convertNode;
  }

  /** The name of a generated function checking `node`: each is `function fN(v)`, true when unchanged. */
  node(node: JsonSchema, inherited: boolean, explicit: boolean | undefined): string {
    // The same decisions, in the same order, as compileJsonConvert's `compile`.
    if (typeof node.$ref === "string") {
      const said = typeof node.strict === "boolean" ? node.strict : explicit;
      const target = this.#root.$defs?.[node.$ref.slice("#/$defs/".length)];
      if (target === undefined || !node.$ref.startsWith("#/$defs/")) return this.#always();
      const key = `${node.$ref}|${inherited}|${said}`;
      let name = this.#refs.get(key);
      if (name === undefined) {
        // Named before its body is generated: a model may refer to itself.
        name = this.source.name();
        this.#refs.set(key, name);
        this.source.define(name, `return ${this.node(target, inherited, said)}(v);`);
      }
      return name;
    }
    if (node.allOf?.length === 1) return this.node(node.allOf[0]!, inherited, typeof node.strict === "boolean" ? node.strict : explicit);
    const isModel = node.properties !== undefined;
    const own = typeof node.strict === "boolean" ? node.strict : (explicit ?? (isModel ? this.#strict : inherited));
    const branches = Array.isArray(node.type) ? node.type.map((type) => ({ ...node, type })) : (node.anyOf ?? node.oneOf);
    if (branches !== undefined) return this.#union(node, branches, own);
    if (node.enum !== undefined || "const" in node) return this.#choice(node.enum ?? [node.const]);
    switch (node.type) {
      case "integer":
        // A -0 is refused: at the root the conversion makes it 0 (in a model or a list, it keeps it).
        return this.#scalar(own ? "Number.isSafeInteger(v)" : "Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0)");
      case "number":
        return this.#scalar(`typeof v === "number"`);
      case "boolean":
        return this.#scalar(`typeof v === "boolean"`);
      case "string":
        return REWRITTEN_FORMATS.has(node.format as string) ? this.#exact(node, own) : this.#scalar(`typeof v === "string"`);
      case "null":
        return this.#scalar("v === null");
      case "array":
        return this.#list(typeof node.items === "object" ? this.node(node.items, own, undefined) : undefined);
      case "object":
        return this.#object(node, own);
    }
    return this.#always();
  }

  #scalar(test: string): string {
    return this.source.add(`return v === undefined || (${test});`);
  }

  #always(): string {
    return this.source.add("return true;");
  }

  #choice(values: readonly unknown[]): string {
    // `includes` is SameValueZero, as the conversion's; for JSON's primitives that is `===`.
    const primitive = values.length <= 8 && values.every((value) => value === null || ["string", "number", "boolean"].includes(typeof value));
    const test = primitive ? values.map((value) => `v === ${JSON.stringify(value)}`).join(" || ") || "false" : `k[${this.#constant(values)}].includes(v)`;
    return this.#scalar(test);
  }

  #list(item: string | undefined): string {
    const each = item === undefined ? "" : `for (let i = 0; i < v.length; i++) if (!${item}(v[i])) return false;\n`;
    return this.source.add(`if (v === undefined) return true;\nif (!Array.isArray(v)) return false;\n${each}return true;`);
  }

  #object(node: JsonSchema, own: boolean): string {
    const properties = Object.entries((node.properties ?? {}) as Record<string, JsonSchema>);
    const lines = ["if (v === undefined) return true;", `if (v === null || typeof v !== "object" || Array.isArray(v)) return false;`, "let x;"];
    for (const [key, child] of properties) {
      lines.push(`x = v[${JSON.stringify(key)}];`, `if (x !== undefined && !${this.node(child, own, undefined)}(x)) return false;`);
    }
    if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
      const extra = this.node(node.additionalProperties as JsonSchema, own, undefined);
      const known = this.#constant(new Set(properties.map(([key]) => key)));
      lines.push(`for (const key of Object.keys(v)) if (!k[${known}].has(key) && !${extra}(v[key])) return false;`);
    }
    lines.push("return true;");
    return this.source.add(lines.join("\n"));
  }

  // `X | null` is X or null; a union of several members picks one by trying each (smart
  // unions), which only the conversion itself can answer.
  #union(node: JsonSchema, branches: readonly JsonSchema[], own: boolean): string {
    const nullable = branches.some((b) => resolve(b, this.#root).type === "null");
    const rest = branches.filter((b) => resolve(b, this.#root).type !== "null");
    if (rest.length !== 1) return this.#exact(node, own);
    const only = this.node(rest[0]!, own, undefined);
    return nullable ? this.source.add(`return v === null || ${only}(v);`) : only;
  }

  // The conversion of this node, run to see whether it changes anything.
  #exact(node: JsonSchema, own: boolean): string {
    const convert = this.#convertNode({ ...node, $defs: this.#root.$defs, strict: own }, own);
    const index = this.#constant(convert);
    return this.source.add(`const errors = [];\nreturn k[${index}](v, undefined, errors) === v && errors.length === 0;`);
  }

  #constant(value: unknown): number {
    return this.constants.push(value) - 1;
  }
}
