import type { StandardSchemaV1 } from "@standard-schema/spec";
import { isPromise } from "../common/is-promise.ts";
import type { Logger } from "../common/logger.ts";
import { jsonText, SpryResponse, type ResponseLike } from "../toolkit/response.ts";
import type { RouteOptions } from "./route-options.ts";
import { compileSerializer, type Serialize } from "./serialize.ts";
import { isItemSource } from "../toolkit/streams/item-stream.ts";
import { jsonLines } from "../toolkit/streams/json-lines.ts";
import { eventStream } from "../toolkit/streams/server-sent-events.ts";

/**
 * A JSON answer with its own status and headers, validated against the route's model for that
 * status when one is declared (`responses: { 404: { model } }`).
 *
 * @example
 * app.get("/items/{id}", { id: z.int() }, ({ id }) =>
 *   items.get(id) ?? json({ message: "Item not found" }, { status: 404 }),
 *   { responses: { 404: { model: Message } } });
 */
export class JsonReply<T = unknown> {
  readonly value: T;
  readonly status: number;
  readonly headers: Record<string, string> | undefined;
  constructor(value: T, status: number, headers: Record<string, string> | undefined) {
    this.value = value;
    this.status = status;
    this.headers = headers;
  }
}

/** Answers `value` as JSON with the given status and headers. See JsonReply. */
export function json<T>(value: T, init: { status?: number; headers?: Record<string, string> } = {}): JsonReply<T> {
  return new JsonReply(value, init.status ?? 200, init.headers);
}

/**
 * A returned value did not match the route's response model. It is never sent: the client
 * gets a 500 and the log gets the route and every issue, as FastAPI's ResponseValidationError.
 */
export class ResponseValidationError extends Error {
  readonly issues: readonly StandardSchemaV1.Issue[];
  constructor(status: number, issues: readonly StandardSchemaV1.Issue[]) {
    const listed = issues.map((i) => `${(i.path ?? []).map((p) => (typeof p === "object" ? p.key : p)).join(".") || "(root)"}: ${i.message}`);
    super(`The ${status} response does not match its declared model: ${listed.join("; ")}`);
    this.name = "ResponseValidationError";
    this.issues = issues;
  }
}

/** What a stream of items needs of the request: where to log a failing item, under which route. */
export interface StreamingRequest {
  readonly config: { readonly logger: Logger };
  readonly routeName: string;
}

/** Turns what a handler returned into its response: synchronous unless a model validates asynchronously. */
export type Respond = (result: unknown, request: StreamingRequest) => ResponseLike | Promise<ResponseLike>;

interface Model {
  readonly schema: StandardSchemaV1 | undefined;
  readonly serialize: Serialize;
}

/**
 * Compiles how a route's results become responses, the one place a value becomes one (route
 * results, and exception handlers' through valueResponder): a Response or SpryResponse as it
 * is, a JsonReply with its status, anything else as JSON with the route's status. Where a
 * model is declared for the status, the value is validated (and so stripped to the model's
 * fields) and serialized by the serializer compiled from it.
 */
export function compileResponder(options: Pick<RouteOptions, "status" | "response" | "responses" | "stream">): Respond {
  const status = options.status ?? 200;
  const models = new Map<number, Model>();
  const modelFor = (code: number): Model => {
    let model = models.get(code);
    if (model === undefined) {
      const schema = code === status ? (options.response ?? options.responses?.[code]?.model) : options.responses?.[code]?.model;
      model = { schema, serialize: compileSerializer(schema) };
      models.set(code, model);
    }
    return model;
  };
  const main = modelFor(status);

  const reply = (code: number, model: Model, value: unknown, headers: Record<string, string> | undefined): ResponseLike | Promise<ResponseLike> => {
    if (model.schema === undefined) return jsonText(code, model.serialize(value), headers);
    const result = model.schema["~standard"].validate(value);
    if (isPromise(result)) return result.then((settled) => jsonText(code, checked(code, model, settled), headers));
    return jsonText(code, checked(code, model, result), headers);
  };

  const stream = streamer(options, main, status);
  return (result, ctx) => {
    // An object literal, the common result, is none of the kinds below: its constructor says so
    // without them (`instanceof Response` is a brand check that costs ~100 ns). A value that
    // passes is answered as the last line answers it anyway: no response, JsonReply or item
    // source has Object for its constructor (an item source is told by its async iterator).
    // Read as a property, which V8 answers from the object's shape, where Object.getPrototypeOf
    // on the handler's result was a builtin and a runtime call (about 110 instructions a
    // `/fast_task/` request, callgrind).
    if (typeof result === "object" && result !== null && (result as { constructor?: unknown }).constructor === Object && !(Symbol.asyncIterator in result)) return reply(status, main, result, undefined);
    // SpryResponse first, for the brand check's sake.
    if (result instanceof SpryResponse || result instanceof Response) return result;
    if (isItemSource(result)) return stream(ctx, result);
    if (result instanceof JsonReply) return reply(result.status, modelFor(result.status), result.value, result.headers);
    return reply(status, main, result, undefined);
  };
}

/**
 * How a route sends a value its response model is known to accept as it is (body/json-echo.ts):
 * serialized by the model's serializer, with the route's status, without validating it again.
 */
export function trustedResponder(options: Pick<RouteOptions, "status" | "response" | "responses">): (value: unknown) => ResponseLike {
  const status = options.status ?? 200;
  const serialize = compileSerializer(options.response ?? options.responses?.[status]?.model);
  return (value) => jsonText(status, serialize(value), undefined);
}

/**
 * How an exception handler's result becomes a response: as a route's would, with the error's
 * status (an HTTPException's, else 500) for a plain value, and the app's response models for
 * none (an exception handler answers for every route).
 */
export function valueResponder(status: number): Respond {
  return compileResponder({ status });
}

function checked(status: number, model: Model, result: StandardSchemaV1.Result<unknown>): string {
  if (result.issues !== undefined) throw new ResponseValidationError(status, result.issues);
  return model.serialize(result.value);
}

// What an async generator handler yields is streamed: JSON Lines, or server-sent events with
// `stream: "sse"`, each item (an event's data) checked against the route's model and serialized
// by it, as a returned value would be.
function streamer(options: Pick<RouteOptions, "stream">, model: Model, status: number): (ctx: StreamingRequest, source: AsyncIterable<unknown>) => Response {
  const encode = (item: unknown): string | Promise<string> => {
    if (model.schema === undefined) return model.serialize(item);
    const result = model.schema["~standard"].validate(item);
    return result instanceof Promise ? result.then((settled) => checked(status, model, settled)) : checked(status, model, result);
  };
  if (options.stream === "sse") {
    return (ctx, source) => eventStream(source, { status, encodeData: encode, logger: ctx.config.logger, name: ctx.routeName });
  }
  return (ctx, source) => jsonLines(source, { status, encodeItem: encode, logger: ctx.config.logger, name: ctx.routeName });
}
