import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig } from "../toolkit/context.ts";
import { Dispatcher } from "../toolkit/dispatch.ts";
import { defaultLimits, type RequestLimits } from "../toolkit/limits.ts";
import { createLogger, silentLogger, type Logger } from "../toolkit/logger.ts";
import { parsePathTemplate } from "../toolkit/path-template.ts";
import { RouteTable } from "../toolkit/route-table.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import { DependencyOverrides } from "./dependencies/overrides.ts";
import { compileEndpoint } from "./endpoint.ts";
import { buildDocument, type OpenAPIInfo } from "./openapi/document.ts";
import { registerDocs, type DocsOptions } from "./openapi/routes.ts";
import { Router, type RouteDefinition } from "./router.ts";

export interface SpryOptions extends DocsOptions, OpenAPIInfo {
  /** Where errors and server events are logged: a pino logger (the default) or false for none. */
  logger?: Logger | false;
  /** Per-request limits; each one defaults as documented in RequestLimits. */
  limits?: Partial<RequestLimits>;
  /** Redirect (307) `/a/` to `/a` or back when only the other form exists (default true, as in FastAPI). */
  redirectSlashes?: boolean;
  /** Dependencies run for every route (not the docs), before the routers' and the routes' own. */
  dependencies?: Dependency<unknown>[];
}

/**
 * A spry application: a router whose routes are compiled into a request pipeline as they
 * are declared, served natively by node:http (`handleNode`) or through the Fetch API (`fetch`).
 *
 * @example
 * const app = new Spry();
 * app.get("/items/{item_id}", { item_id: z.int(), q: z.string().optional() }, ({ item_id, q }) => ({ item_id, q }));
 * export default app; // spry run main.ts
 */
export class Spry extends Router {
  readonly config: AppConfig;
  readonly #table: RouteTable;
  readonly #dispatcher: Dispatcher;
  readonly #info: OpenAPIInfo;
  readonly #dependencies: readonly Dependency<unknown>[];
  #openapi: string | undefined;

  /**
   * Replacements for dependencies, for tests: `app.dependencyOverrides.set(real, fake)`.
   * Routes pick a change up on their next request.
   */
  readonly dependencyOverrides = new DependencyOverrides();

  constructor(options: SpryOptions = {}) {
    super();
    const limits = { ...defaultLimits, ...options.limits };
    const logger = options.logger === false ? silentLogger : (options.logger ?? createLogger());
    this.config = { limits, logger };
    this.#table = new RouteTable(limits.maxParamLength);
    this.#dispatcher = new Dispatcher(this.#table, this.config, options.redirectSlashes ?? true);
    this.#info = { title: options.title, version: options.version, description: options.description, servers: options.servers };
    // The docs routes are added before the app's dependencies apply: an auth dependency on
    // the app does not lock the docs, as in FastAPI.
    this.#dependencies = [];
    registerDocs(this, options, options.title ?? "spry");
    this.#dependencies = options.dependencies ?? [];
  }

  /**
   * The app's OpenAPI 3.1 document, built on first use and kept until a route is added.
   *
   * @example
   * const doc = app.openapi();
   * doc.paths["/items/{item_id}"].get.parameters;
   */
  openapi(): Record<string, unknown> & { paths: Record<string, Record<string, any>> } {
    return JSON.parse(this.openapiJson());
  }

  /** The OpenAPI document as JSON text, as `/openapi.json` serves it. */
  openapiJson(): string {
    return (this.#openapi ??= JSON.stringify(buildDocument(this.routes, this.#info)));
  }

  /** The Fetch API handler: `Request` in, `Response` out. */
  get fetch(): (request: Request) => Promise<Response> {
    return this.#dispatcher.fetch;
  }

  /** The native node:http request listener. */
  get handleNode(): (req: IncomingMessage, res: ServerResponse) => void {
    return this.#dispatcher.handleNode;
  }

  protected override addRoute(route: RouteDefinition): void {
    const dependencies = [...this.#dependencies, ...(route.options.dependencies ?? [])];
    super.addRoute({ ...route, options: { ...route.options, dependencies } });
    this.#openapi = undefined;
    // Compiled from the final path, once the router's prefix has been applied.
    const added = this.routes[this.routes.length - 1]!;
    const template = parsePathTemplate(added.path);
    const parts = { template, inputs: added.inputs, handler: added.handler, options: added.options, dependencies: added.options.dependencies ?? [] };
    const endpoint = compileEndpoint(parts, this.dependencyOverrides);
    this.#table.add(added.method, template, endpoint, added.options.bodyLimit);
  }
}
