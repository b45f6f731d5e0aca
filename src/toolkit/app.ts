import { createLogger, silentLogger, withRequestIds, type Logger } from "../common/logger.ts";
import { Dispatcher, type DispatchOptions } from "./dispatch.ts";
import type { ErrorClass, ExceptionHandler } from "./exception-handlers.ts";
import { defaultLimits, type RequestLimits } from "./limits.ts";
import type { Middleware } from "./middleware.ts";
import { parsePathTemplate } from "./path-template.ts";
import type { AppConfig, SpryRequest } from "./request.ts";
import { RouteTable, type Endpoint, type Method } from "./route-table.ts";
import { newCounters } from "./stats.ts";

export interface ToolkitOptions extends DispatchOptions {
  /** Per-request limits; each one defaults as documented in RequestLimits. */
  limits?: Partial<RequestLimits>;
  /** Where errors are logged: a pino logger (the default), or false for none. */
  logger?: Logger | false;
  /** The prefix a proxy serves the app under, which it strips ("" for none): redirects carry it. */
  rootPath?: string | undefined;
}

/** One route of a ToolkitApp: a method, a FastAPI path template, and its endpoint. */
export interface ToolkitRoute {
  readonly method: Method;
  readonly path: string;
  readonly endpoint: Endpoint;
  /** The route's own body limit in bytes, over the app's. */
  readonly bodyLimit?: number;
  /** The route's own handler deadline in milliseconds, over the app's. */
  readonly timeout?: number;
}

/**
 * The toolkit on its own, as Starlette without FastAPI: a route table, middleware, exception
 * handlers, and endpoints that take the request and return a response (a SpryResponse or a
 * Fetch Response), with no schemas, no inputs and no OpenAPI. Every limit, the deadlines, the
 * two error layers and both transports are the same as a Spry app's, which is built on it.
 *
 * @example
 * const app = new ToolkitApp()
 *   .route("GET", "/items/{id}", (request) => jsonResponse(200, { id: request.params.id }))
 *   .use(async (request, next) => (await next()).setHeader("x-toolkit", "yes"));
 * export default app; // spry run app.ts, or app.fetch on any Fetch host
 */
export class ToolkitApp {
  readonly config: AppConfig;
  readonly #dispatcher: Dispatcher;
  readonly #table: RouteTable;

  constructor(options: ToolkitOptions = {}) {
    const limits = { ...defaultLimits, ...options.limits };
    // Each line logged while a request is handled names its id (docs/server.md).
    const logger = options.logger === false ? silentLogger : withRequestIds(options.logger ?? createLogger());
    this.config = { limits, logger, stats: newCounters(), rootPath: options.rootPath };
    this.#table = new RouteTable(limits.maxParamLength);
    this.#dispatcher = new Dispatcher(this.#table, this.config, options);
  }

  /** Adds a route; a GET route answers HEAD too (the body dropped, its length kept). */
  route(method: Method, path: string, endpoint: Endpoint, options: Pick<ToolkitRoute, "bodyLimit" | "timeout"> = {}): this {
    this.#table.add(method, parsePathTemplate(path), endpoint, options);
    return this;
  }

  /** Adds middleware around every request, 404s and errors included; the first added is the outermost. */
  use(middleware: Middleware): this {
    this.#dispatcher.use(middleware);
    return this;
  }

  /** Answers an error class, or a status code, with a response of yours. */
  exceptionHandler<E>(key: ErrorClass<E> | number, handler: (error: E, request: SpryRequest) => ReturnType<ExceptionHandler>): this {
    this.#dispatcher.exceptionHandlers.add(key, handler as ExceptionHandler);
    return this;
  }

  /** Starts the event-loop monitor; serve() and TestClient.open() call it. */
  async startup(): Promise<void> {
    this.#dispatcher.startMonitor();
  }

  /** Stops the event-loop monitor. */
  async shutdown(): Promise<void> {
    this.#dispatcher.monitor.stop();
  }

  /** The Fetch API handler: `Request` in, `Response` out. */
  get fetch(): (request: Request) => Promise<Response> {
    return this.#dispatcher.fetch;
  }

  /** The native node:http request listener. */
  get handleNode(): Dispatcher["handleNode"] {
    return this.#dispatcher.handleNode;
  }
}
