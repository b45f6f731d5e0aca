import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { PathTemplate } from "../../toolkit/path-template.ts";
import { compileCoerce, listItems, type Coerce } from "./coerce.ts";
import { inputJsonSchema, type JsonSchema } from "./json-schema.ts";
import { paramInfo, type Location, type ParamOptions } from "./param.ts";

/** A route's declared inputs: handler argument name to schema. */
export type Inputs = Record<string, StandardSchemaV1>;

/** One declared input, resolved at registration: where it is read, under which name, how it is converted. */
export interface InputSpec {
  /** The handler's name for it. */
  readonly name: string;
  readonly location: Location;
  /** The name on the wire: the query key, the lower-case header name, the cookie name. */
  readonly key: string;
  readonly schema: StandardSchemaV1;
  readonly jsonSchema: JsonSchema | undefined;
  /** Whether every value of a repeated query key or header is collected into a list. */
  readonly list: boolean;
  /** Converts one string to the declared type (each item's type, for lists). */
  readonly coerce: Coerce;
  readonly options: ParamOptions;
}

/**
 * Decides, once per route, where each input comes from, as FastAPI does: a name in the path
 * template is a path parameter, a pinned location (`header()`, `cookie()`, ...) is kept, and
 * anything else is a query parameter. Path parameters the user did not declare are strings.
 */
export function planInputs(template: PathTemplate, inputs: Inputs): InputSpec[] {
  const specs: InputSpec[] = [];
  for (const [name, declared] of Object.entries(inputs)) {
    const info = paramInfo(declared);
    const inTemplate = template.params.includes(name);
    const location: Location = info?.location ?? (inTemplate ? "path" : "query");
    if (inTemplate && location !== "path") {
      throw new Error(`"${name}" is a path parameter of ${template.path} but is declared as a ${location} input`);
    }
    if (location === "path" && !inTemplate) {
      throw new Error(`"${name}" is declared as a path parameter but ${template.path} has no {${name}}`);
    }
    specs.push(spec(name, location, info?.schema ?? declared, info?.options ?? {}));
  }
  for (const name of template.params) {
    if (!(name in inputs)) specs.push(spec(name, "path", stringSchema, {}));
  }
  return specs;
}

function spec(name: string, location: Location, schema: StandardSchemaV1, options: ParamOptions): InputSpec {
  const jsonSchema = inputJsonSchema(schema);
  const items = location === "query" || location === "header" ? listItems(jsonSchema) : undefined;
  const list = items !== undefined;
  const coerce = list ? compileCoerce(items ?? undefined, jsonSchema) : compileCoerce(jsonSchema);
  return { name, location, key: wireName(name, location, options), schema, jsonSchema, list, coerce, options };
}

function wireName(name: string, location: Location, options: ParamOptions): string {
  if (options.alias !== undefined) return location === "header" ? options.alias.toLowerCase() : options.alias;
  if (location !== "header") return name;
  const converted = options.convertUnderscores === false ? name : name.replaceAll("_", "-");
  return converted.toLowerCase();
}

/** The schema of an undeclared path parameter: any string, as the router decoded it. */
const stringSchema: StandardSchemaV1<string, string> = {
  "~standard": {
    version: 1,
    vendor: "spry",
    validate: (value) => (typeof value === "string" ? { value } : { issues: [{ message: "Input should be a valid string" }] }),
    jsonSchema: { input: () => ({ type: "string" }), output: () => ({ type: "string" }) },
  } as StandardSchemaV1<string, string>["~standard"],
};
