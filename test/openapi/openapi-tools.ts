// The real tools the OpenAPI documents are checked with, shared by the tests of test/openapi.
import { Validator } from "@seriousme/openapi-schema-validator";
import { createConfig, lintFromString, type NormalizedProblem } from "@redocly/openapi-core";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

export type Document = Record<string, unknown> & { paths: Record<string, Record<string, any>> };

/** @seriousme/openapi-schema-validator: the document against the official OpenAPI 3.1 JSON Schema. */
export async function officialSchemaErrors(document: Document): Promise<{ valid: boolean; version: string | undefined; errors: unknown }> {
  const validator = new Validator();
  // A clone, since the validator keeps (and may annotate) what it is given.
  const result = await validator.validate(structuredClone(document));
  return { valid: result.valid, version: result.valid ? validator.version : undefined, errors: result.errors };
}

/**
 * Redocly's linter with its strictest built-in ruleset, less the rules that judge an API's
 * style rather than the document's correctness: spry's documents declare no license, servers,
 * security or top-level tags unless the app gives them, FastAPI-style paths may end in "/",
 * and a summary is the author's choice (the doc comment gives one when written).
 * What stays on are the rules a tool would trip over: structure, unresolved refs, path
 * parameters declared in the template but not defined (or the reverse), duplicate
 * operationIds or parameters, ambiguous paths, unused components, required properties that
 * are not defined, examples and enums that contradict their schemas, ...
 */
export async function redoclyProblems(document: Document): Promise<NormalizedProblem[]> {
  const config = await createConfig({
    extends: ["recommended-strict"],
    rules: {
      struct: "error",
      "no-required-schema-properties-undefined": "error",
      "no-invalid-schema-examples": "error",
      "no-invalid-parameter-examples": "error",
      "info-license": "off",
      "info-license-strict": "off",
      "no-empty-servers": "off",
      "security-defined": "off",
      "operation-summary": "off",
      "operation-4xx-response": "off",
      "no-path-trailing-slash": "off",
      "tag-description": "off",
    },
  });
  return lintFromString({ source: JSON.stringify(document), absoluteRef: "/openapi.json", config });
}

export function describeProblems(problems: readonly NormalizedProblem[]): string {
  return problems.map((p) => `${p.ruleId} (${p.severity}) at ${p.location[0]?.pointer ?? "?"}: ${p.message}`).join("\n");
}

/**
 * JSON Schema 2020-12, the dialect OpenAPI 3.1 schemas are written in, checked by Ajv: every
 * schema object of the document, each compiled with the components it refers to.
 * Compiling fails on a keyword misused against the meta-schema, an unknown keyword (strict
 * mode), or a `$ref` that points nowhere.
 */
export class SchemaChecker {
  readonly #ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false, allErrors: true });
  readonly #defs: Record<string, unknown>;
  readonly #cache = new Map<unknown, ValidateFunction>();

  constructor(document: Document) {
    const components = (document.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {};
    this.#defs = toDefs(components) as Record<string, unknown>;
  }

  /** Compiles a schema of the document, with `#/components/schemas/X` read as `#/$defs/X`. */
  compile(schema: unknown): ValidateFunction {
    let validate = this.#cache.get(schema);
    if (validate === undefined) {
      const own = toDefs(schema);
      validate = this.#ajv.compile(typeof own === "boolean" ? own : { ...(own as object), $defs: this.#defs });
      this.#cache.set(schema, validate);
    }
    return validate;
  }

  /** Every schema object at the places OpenAPI puts one: parameters, request and response bodies, components. */
  static schemasOf(document: Document): { where: string; schema: unknown }[] {
    const found: { where: string; schema: unknown }[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const parameter of operation.parameters ?? []) found.push({ where: `${at} ${parameter.in} ${parameter.name}`, schema: parameter.schema });
        for (const [type, media] of Object.entries<any>(operation.requestBody?.content ?? {})) found.push({ where: `${at} body ${type}`, schema: media.schema });
        for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
          for (const [type, media] of Object.entries<any>(response.content ?? {})) found.push({ where: `${at} ${status} ${type}`, schema: media.schema });
        }
      }
    }
    const components = (document.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {};
    for (const [name, schema] of Object.entries(components)) found.push({ where: `components.schemas.${name}`, schema });
    return found;
  }
}

function toDefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toDefs);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = key === "$ref" && typeof value === "string" ? value.replace(/^#\/components\/schemas\//, "#/$defs/") : toDefs(value);
  }
  return copy;
}

/** The JSON schema the document gives a response: `paths[path][method].responses[status]`. */
export function responseSchema(document: Document, path: string, method: string, status: number): unknown {
  const response = document.paths[path]?.[method]?.responses?.[String(status)];
  if (response === undefined) throw new Error(`The document has no ${status} response for ${method.toUpperCase()} ${path}`);
  const schema = response.content?.["application/json"]?.schema;
  if (schema === undefined) throw new Error(`${method.toUpperCase()} ${path} ${status} has no application/json schema`);
  return schema;
}
