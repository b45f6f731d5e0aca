import { STATUS_CODES } from "node:http";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { PathTemplate } from "../../toolkit/path-template.ts";
import { planGraph } from "../dependencies/graph.ts";
import { planGraphInputs } from "../inputs/plan.ts";
import type { BodyPlan, InputSpec } from "../inputs/spec.ts";
import { jsonSchemaOf, type JsonSchema } from "../inputs/json-schema.ts";
import type { RouteDefinition } from "../router.ts";
import type { Components, Io } from "./components.ts";
import { docComment } from "./doc-comment.ts";
import type { SecuritySchemes } from "./security.ts";
import { validationErrorResponse } from "./validation-schemas.ts";

const NO_OVERRIDES = new Map();

/** What building one operation needs besides the route: shared components and a file cache. */
export interface OperationContext {
  readonly components: Components;
  readonly securitySchemes: SecuritySchemes;
  readonly files: Map<string, string[] | null>;
}

/** The OpenAPI operation object of one route. */
export function buildOperation(route: RouteDefinition, template: PathTemplate, context: OperationContext): Record<string, unknown> {
  const { options } = route;
  // Every input the request must carry: the route's and its dependencies'.
  const graph = planGraph(route.inputs, options.dependencies ?? [], NO_OVERRIDES);
  const plan = planGraphInputs(template, graph.owners);
  const comment = options.summary === undefined || options.description === undefined ? docComment(route.site, context.files) : {};
  const operation: Record<string, unknown> = {};
  if (options.tags !== undefined && options.tags.length > 0) operation.tags = options.tags;
  const summary = options.summary ?? comment.summary;
  if (summary !== undefined) operation.summary = summary;
  const description = options.description ?? comment.description;
  if (description !== undefined) operation.description = description;
  operation.operationId = options.operationId ?? defaultOperationId(route.method, route.path);
  const security = context.securitySchemes.requirements(graph);
  if (security.length > 0) operation.security = security;
  const seen = new Set<string>();
  const parameters = plan.params
    .filter((s) => s.options.includeInSchema !== false)
    .flatMap((s) => (s.model === undefined ? [parameter(s, context.components)] : modelParameters(s, context.components)))
    .filter((p) => !seen.has(`${p.in}:${p.name}`) && seen.add(`${p.in}:${p.name}`));
  if (parameters.length > 0) operation.parameters = parameters;
  if (plan.body !== undefined) operation.requestBody = requestBody(plan.body, context.components);
  operation.responses = responses(route, plan.params.length > 0 || plan.body !== undefined, context.components);
  if (options.deprecated === true) operation.deprecated = true;
  return operation;
}

/** FastAPI-like and unique per route: `get_items__item_id_`. */
function defaultOperationId(method: string, path: string): string {
  return `${method.toLowerCase()}_${path.replace(/\{([^}:]+)(?::[^}]*)?\}/g, "_$1_").replace(/\W/g, "_").replace(/^_+/, "")}`;
}

function parameter(spec: InputSpec, components: Components): Record<string, unknown> {
  const result: Record<string, unknown> = {
    name: spec.key,
    in: spec.location,
    required: spec.location === "path" || isRequired(spec.schema),
    schema: schemaOf(spec, "input", components),
  };
  if (spec.options.description !== undefined) result.description = spec.options.description;
  if (spec.options.deprecated === true) result.deprecated = true;
  return result;
}

// A query, header or cookie model is listed field by field, each as its own parameter, as FastAPI does.
function modelParameters(spec: InputSpec, components: Components): Record<string, unknown>[] {
  const root = spec.jsonSchema!;
  return spec.model!.fields.map((field) => {
    const schema = components.add(root.$defs === undefined ? { ...field.schema } : { ...field.schema, $defs: root.$defs }, "input");
    if (schema.title === undefined && schema.$ref === undefined) schema.title = pythonTitle(field.locKey);
    const result: Record<string, unknown> = { name: field.key, in: spec.location, required: field.required, schema };
    if (typeof field.schema.description === "string") result.description = field.schema.description;
    if (field.schema.deprecated === true || spec.options.deprecated === true) result.deprecated = true;
    return result;
  });
}

// pydantic's default title: `item-query` is "Item-Query", `save_data` "Save Data".
function pythonTitle(name: string): string {
  return name.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase()).replaceAll("_", " ");
}

function requestBody(body: BodyPlan, components: Components): Record<string, unknown> {
  const hasFile = body.specs.some((s) => s.kind === "file");
  const mediaType = body.kind === "json" ? "application/json" : hasFile ? "multipart/form-data" : "application/x-www-form-urlencoded";
  let schema: JsonSchema;
  let required: boolean;
  if (!body.embed) {
    const only = body.specs[0]!;
    schema = schemaOf(only, "input", components);
    required = isRequired(only.schema);
  } else {
    const properties: Record<string, JsonSchema> = {};
    const names: string[] = [];
    for (const spec of body.specs) {
      properties[spec.key] = schemaOf(spec, "input", components);
      if (isRequired(spec.schema)) names.push(spec.key);
    }
    schema = { type: "object", properties, ...(names.length > 0 ? { required: names } : {}) };
    required = names.length > 0;
  }
  return { content: { [mediaType]: { schema } }, required };
}

function responses(route: RouteDefinition, validates: boolean, components: Components): Record<string, unknown> {
  const { options } = route;
  const status = options.status ?? 200;
  const result: Record<string, unknown> = {};
  const main = options.response ?? options.responses?.[status]?.model;
  const description = options.responses?.[status]?.description ?? "Successful Response";
  const stream = streamKind(route);
  result[String(status)] = stream === undefined ? response(status, main, description, components) : streamResponse(stream, main, description, components);
  for (const [code, spec] of Object.entries(options.responses ?? {})) {
    if (Number(code) === status) continue;
    result[code] = response(Number(code), spec.model, spec.description ?? STATUS_CODES[Number(code)] ?? "Response", components);
  }
  if (validates && result["422"] === undefined) result["422"] = validationErrorResponse;
  return result;
}

// A handler that is an async generator streams (JSON Lines unless the route says SSE); so does
// any route declared `stream: "sse"`.
function streamKind(route: RouteDefinition): "jsonl" | "sse" | undefined {
  if (route.options.stream !== undefined) return route.options.stream;
  return Object.getPrototypeOf(route.handler) === AsyncGeneratorFunction ? "jsonl" : undefined;
}

const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {});

// As FastAPI documents a stream: the schema of one item under `itemSchema` (OpenAPI 3.2's
// keyword for sequential media types), and for SSE the event whose data is that item as JSON.
function streamResponse(kind: "jsonl" | "sse", model: StandardSchemaV1 | undefined, description: string, components: Components): Record<string, unknown> {
  const item = model === undefined ? {} : modelSchema(model, "output", components);
  if (kind === "jsonl") return { description, content: { "application/jsonl": { itemSchema: item } } };
  const data = { type: "string", contentMediaType: "application/json", ...(model === undefined ? {} : { contentSchema: item }) };
  const event = {
    type: "object",
    properties: { data, event: { type: "string" }, id: { type: "string" }, retry: { type: "integer", minimum: 0 } },
    required: ["data"],
  };
  return { description, content: { "text/event-stream": { itemSchema: event } } };
}

function response(status: number, model: StandardSchemaV1 | undefined, description: string, components: Components): Record<string, unknown> {
  if (status === 204 || status === 304) return { description };
  const schema = model === undefined ? {} : modelSchema(model, "output", components);
  return { description, content: { "application/json": { schema } } };
}

function schemaOf(spec: InputSpec, io: Io, components: Components): JsonSchema {
  if (spec.kind === "file") {
    const binary = { type: "string", format: "binary" };
    return spec.list ? { type: "array", items: binary } : binary;
  }
  const schema = spec.jsonSchema === undefined ? {} : components.add(spec.jsonSchema, io);
  if (schema.title === undefined && schema.$ref === undefined && spec.location !== "body") schema.title = titleOf(spec.name);
  if (spec.options.description !== undefined && spec.location === "body") schema.description = spec.options.description;
  return schema;
}

function modelSchema(model: StandardSchemaV1, io: Io, components: Components): JsonSchema {
  const schema = jsonSchemaOf(model, io);
  return schema === undefined ? {} : components.add(schema, io);
}

const required = new WeakMap<object, boolean>();

// An input is required when its schema refuses a missing value; asking the schema itself
// works for every library, with no need to read its internals.
function isRequired(schema: StandardSchemaV1): boolean {
  let answer = required.get(schema);
  if (answer === undefined) {
    const result = schema["~standard"].validate(undefined);
    answer = result instanceof Promise || result.issues !== undefined;
    required.set(schema, answer);
  }
  return answer;
}

function titleOf(name: string): string {
  return name.split(/[_-]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ");
}
