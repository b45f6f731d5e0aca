import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Dependency } from "./dependencies/dependency.ts";

/** What a route may answer with one status code, for validation and the OpenAPI document. */
export interface ResponseSpec {
  /** The body's schema: a returned value is validated against it and stripped to its fields. */
  model?: StandardSchemaV1;
  description?: string;
}

/** A route's `responses`: status code to what it answers with that status. */
export type Responses = Record<number, ResponseSpec>;

/**
 * Options of one route, the same for every HTTP method. The type parameters keep the model,
 * the status and the responses as written, for the typed client (spry/client).
 */
export interface RouteOptions<
  S extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined,
  C extends number = number,
  Rs extends Responses = Responses,
> {
  /** Status of a successful response (default 200). 204 and 304 send no body. */
  status?: C;
  /**
   * The response model: what the handler returns is validated against it, stripped to its
   * fields (a password hash never leaves the server) and serialized by a serializer compiled
   * from it. A value that does not match is a logged 500, never sent.
   */
  response?: S;
  /**
   * How an async generator handler's items are sent: `"jsonl"` (the default), one JSON value
   * per line as `application/jsonl`, or `"sse"`, server-sent events (`text/event-stream`),
   * as FastAPI's `response_class=EventSourceResponse`. `response` is then the model of each item.
   */
  stream?: "jsonl" | "sse";
  /** Models and descriptions of other statuses, for `json(value, { status })` and the OpenAPI document. */
  responses?: Rs;
  /** OpenAPI tags; a router's and an include's tags are added in front. */
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  /**
   * The route's name, for links to it: `app.urlPathFor(name, params)` and `ctx.app.urlPathFor`
   * (FastAPI's `name=`). Default: the handler's function name, if it has one.
   */
  name?: string;
  deprecated?: boolean;
  /** Leave the route out of the OpenAPI document. */
  includeInSchema?: boolean;
  /**
   * The JSON body takes JSON's own types only (pydantic's `strict=True`), over the app's
   * `strict`; false: lax, as FastAPI. A model's own `.meta({ strict })` decides for its fields.
   */
  strict?: boolean;
  /** This route's largest request body in bytes, over the app's `limits.bodyLimit`. */
  bodyLimit?: number;
  /** This route's handler deadline in milliseconds, over the app's `timeout`: 504 and its signal aborted. */
  timeout?: number;
  /**
   * Dependencies run for their effects (an auth check, say) before the handler; their values
   * are not passed. A router's and an include's come first, the app's before all.
   */
  dependencies?: Dependency<unknown>[];
}
