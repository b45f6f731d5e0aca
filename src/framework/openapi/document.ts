import { parsePathTemplate } from "../../toolkit/path-template.ts";
import type { RouteDefinition } from "../router.ts";
import { Components } from "./components.ts";
import { buildOperation } from "./operation.ts";
import { SecuritySchemes } from "./security.ts";
import { validationSchemas } from "./validation-schemas.ts";

export interface OpenAPIInfo {
  title?: string;
  version?: string;
  description?: string;
  /** OpenAPI `servers`, e.g. `[{ url: "https://api.example.com" }]`. */
  servers?: { url: string; description?: string }[];
  /** The app's root path (SpryOptions.rootPath), listed first among the servers. */
  rootPath?: string | undefined;
}

/**
 * The OpenAPI 3.1 document of a set of routes: parameters with their locations, request
 * bodies per media type, responses per status, named models as components with `$ref`,
 * FastAPI's 422 HTTPValidationError wherever a route validates input, and the security
 * schemes found in each route's dependencies.
 */
export function buildDocument(routes: readonly RouteDefinition[], info: OpenAPIInfo = {}): Record<string, unknown> {
  const components = new Components();
  const securitySchemes = new SecuritySchemes();
  const files = new Map<string, string[] | null>();
  const paths: Record<string, Record<string, unknown>> = {};
  let validates = false;
  for (const route of routes) {
    if (route.options.includeInSchema === false) continue;
    const template = parsePathTemplate(route.path);
    const operation = buildOperation(route, template, { components, securitySchemes, files });
    validates ||= (operation.responses as Record<string, unknown>)["422"] !== undefined;
    const path = route.path.replace(/\{([^}:]+):[^}]*\}/g, "{$1}");
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  const document: Record<string, unknown> = {
    openapi: "3.1.0",
    info: {
      title: info.title ?? "spry",
      version: info.version ?? "0.1.0",
      ...(info.description === undefined ? {} : { description: info.description }),
    },
  };
  // As FastAPI (root_path_in_servers): an app served under a root path lists it first, so that
  // the docs' "Try it out" calls go through the proxy's prefix.
  const servers = info.rootPath === undefined || info.servers?.some((s) => s.url === info.rootPath) ? info.servers : [{ url: info.rootPath }, ...(info.servers ?? [])];
  if (servers !== undefined) document.servers = servers;
  document.paths = paths;
  const schemas = components.finish(validates ? validationSchemas : {});
  const schemes = securitySchemes.finish();
  const parts: Record<string, unknown> = {};
  if (Object.keys(schemas).length > 0) parts.schemas = schemas;
  if (schemes !== undefined) parts.securitySchemes = schemes;
  if (Object.keys(parts).length > 0) document.components = parts;
  return document;
}
