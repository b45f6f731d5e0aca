import type { StandardSchemaV1 } from "@standard-schema/spec";
import { JSON_HEADERS, type Context } from "../toolkit/context.ts";
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

type Send = (ctx: Context, result: unknown) => void | Promise<void>;

interface Model {
  readonly schema: StandardSchemaV1 | undefined;
  readonly serialize: Serialize;
}

/**
 * Compiles how a route's results are sent: a Response as it is, a JsonReply with its status,
 * anything else as JSON with the route's status. Where a model is declared for the status, the
 * value is validated (and so stripped to the model's fields) and serialized by the serializer
 * compiled from it.
 */
export function compileResponder(options: RouteOptions): Send {
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

  const send = (ctx: Context, code: number, model: Model, value: unknown, headers: Record<string, string> | undefined) => {
    const all = headers === undefined ? JSON_HEADERS : { ...headers, "content-type": "application/json" };
    if (model.schema === undefined) return ctx.send(code, all, model.serialize(value));
    const result = model.schema["~standard"].validate(value);
    if (result instanceof Promise) {
      return result.then((settled) => ctx.send(code, all, checked(code, model, settled)));
    }
    ctx.send(code, all, checked(code, model, result));
  };

  const stream = streamer(options, main, status);
  return (ctx, result) => {
    if (result instanceof Response) return ctx.sendResponse(result);
    if (isItemSource(result)) return ctx.sendResponse(stream(ctx, result));
    if (result instanceof JsonReply) return send(ctx, result.status, modelFor(result.status), result.value, result.headers);
    return send(ctx, status, main, result, undefined);
  };
}

function checked(status: number, model: Model, result: StandardSchemaV1.Result<unknown>): string {
  if (result.issues !== undefined) throw new ResponseValidationError(status, result.issues);
  return model.serialize(result.value);
}

// What an async generator handler yields is streamed: JSON Lines, or server-sent events with
// `stream: "sse"`, each item (an event's data) checked against the route's model and serialized
// by it, as a returned value would be.
function streamer(options: RouteOptions, model: Model, status: number): (ctx: Context, source: AsyncIterable<unknown>) => Response {
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
