import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { PathTemplate } from "../../toolkit/path-template.ts";
import { dependencyInfo, type Inputs } from "../dependencies/dependency.ts";
import { modelProperties } from "../body/form-model.ts";
import { convertingSchema } from "../body/json-convert.ts";
import { compileCoerce, listItems } from "./coerce.ts";
import type { InputPlan, InputSpec } from "./spec.ts";
import { inputJsonSchema, resolve, withoutNull, type JsonSchema } from "./json-schema.ts";
import { paramInfo, type BodyKind, type Location, type ParamOptions } from "./param.ts";
import { planParamModel } from "./param-model.ts";

export interface PlanOptions {
  /** JSON bodies take JSON's own types only (pydantic's strict mode). */
  readonly strict?: boolean;
}

/**
 * Decides, once per route, where each input comes from, as FastAPI does: a name in the path
 * template is a path parameter, a pinned location (`header()`, `body()`, ...) is kept, an
 * object schema (a model) is the JSON body, and anything else is a query parameter. Path
 * parameters the user did not declare are strings. Dependencies among the inputs are left to
 * the dependency graph (see planGraphInputs).
 */
export function planGraphInputs(template: PathTemplate, owners: readonly Inputs[], options: PlanOptions = {}): InputPlan {
  const specs: Omit<InputSpec, "loc">[] = [];
  const declared = new Set<string>();
  owners.forEach((inputs, owner) => {
    for (const [name, value] of Object.entries(inputs)) {
      if (dependencyInfo(value) !== undefined) continue;
      if (!isSchema(value)) throw new Error(`input "${name}" ${owner === 0 ? "" : "of a dependency "}${notAnInput(value)}`);
      const declaredSchema = value as StandardSchemaV1;
      const info = paramInfo(declaredSchema);
      const schema = info?.schema ?? declaredSchema;
      const jsonSchema = inputJsonSchema(schema);
      const inTemplate = template.params.includes(name);
      const location: Location = info?.location ?? (inTemplate ? "path" : isModel(jsonSchema) ? "body" : "query");
      if (inTemplate && location !== "path") {
        throw new Error(`"${name}" is a path parameter of ${template.path} but is declared as a ${location} input`);
      }
      if (location === "path" && !inTemplate) {
        throw new Error(`"${name}" is declared as a path parameter but ${template.path} has no {${name}}`);
      }
      if (location === "path") declared.add(name);
      const kind = location === "body" ? (info?.kind ?? "json") : undefined;
      // A JSON body is converted by its JSON Schema before its schema validates it.
      const validated = kind === "json" && jsonSchema !== undefined ? convertingSchema(schema, jsonSchema, options.strict ?? false) : schema;
      const paramOptions = info?.options ?? {};
      const model = location === "query" || location === "header" || location === "cookie"
        ? planParamModel(location, jsonSchema, paramOptions, `${template.path}, input "${name}"`)
        : undefined;
      specs.push({ ...spec(owner, name, location, validated, jsonSchema, paramOptions, kind), model, declared: schema });
    }
  });
  for (const name of template.params) {
    if (!declared.has(name)) specs.push(spec(0, name, "path", stringSchema, { type: "string" }, {}, undefined));
  }
  const bodySpecs = specs.filter((s) => s.location === "body");
  const kinds = new Set(bodySpecs.map((s) => (s.kind === "json" ? "json" : "form")));
  if (kinds.size > 1) {
    throw new Error(`${template.path} declares both JSON and form body inputs; a request has one body`);
  }
  const bodyKeys = new Set(bodySpecs.map((s) => s.key));
  const embed = bodyKeys.size > 1 || bodySpecs.some((s) => s.options.embed === true) || kinds.has("form");
  const located = specs.map((s): InputSpec => ({
    ...s,
    loc: s.location !== "body" ? [s.location, s.key] : embed && !isFormModel(s) ? ["body", s.key] : ["body"],
  }));
  const body = bodySpecs.length === 0
    ? undefined
    : { kind: kinds.has("form") ? ("form" as const) : ("json" as const), specs: located.filter((s) => s.location === "body"), embed };
  return { params: located.filter((s) => s.location !== "body"), body, owners: owners.length };
}

function spec(
  owner: number,
  name: string,
  location: Location,
  schema: StandardSchemaV1,
  jsonSchema: JsonSchema | undefined,
  options: ParamOptions,
  kind: BodyKind | undefined,
): Omit<InputSpec, "loc"> {
  const items = location === "query" || location === "header" || kind === "form" || kind === "file" ? listItems(jsonSchema) : undefined;
  const list = items !== undefined;
  const coerce = list ? compileCoerce(items ?? undefined, jsonSchema) : compileCoerce(jsonSchema);
  return { owner, name, location, key: wireName(name, location, options), schema, jsonSchema, list, coerce, options, kind };
}

function isSchema(value: unknown): boolean {
  const standard = (value as Partial<StandardSchemaV1> | null | undefined)?.["~standard"];
  return typeof standard === "object" && standard !== null && typeof standard.validate === "function";
}

// Says what was given instead, and what the person probably meant.
function notAnInput(value: unknown): string {
  const got = typeof value === "function"
    ? /^class\b/.test(Function.prototype.toString.call(value)) ? `the class ${value.name}` : `the function ${value.name || "(anonymous)"}`
    : value === null ? "null" : typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
  const hint = typeof value === "function"
    ? "; wrap a function in depends() to make it a dependency, and reach background tasks as ctx.tasks"
    : "";
  return `is neither a schema (zod, valibot, any Standard Schema) nor a dependency: got ${got}${hint}`;
}

function isFormModel(spec: Omit<InputSpec, "loc">): boolean {
  return spec.kind === "form" && modelProperties(spec.jsonSchema) !== undefined;
}

// FastAPI reads a parameter typed as a model, or a list of models, from the body.
function isModel(schema: JsonSchema | undefined): boolean {
  if (schema === undefined) return false;
  const node = withoutNull(schema, schema);
  if (node.type === "object") return true;
  if (node.type === "array" && node.items !== undefined) return resolve(node.items, schema).type === "object";
  return false;
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
