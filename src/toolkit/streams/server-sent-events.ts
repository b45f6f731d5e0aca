import type { Logger } from "../../common/logger.ts";
import { itemStream } from "./item-stream.ts";

export interface ServerSentEventFields {
  /** The event's data, sent as JSON (validated against the route's model, when it has one). */
  data?: unknown;
  /** Data sent as it is, for text that is not JSON; line breaks become several `data:` lines. */
  rawData?: string;
  /** The event type: the browser's `addEventListener(event, ...)`; "message" when absent. */
  event?: string;
  /** The event's id: the browser sends the last one back as `Last-Event-ID` when it reconnects. */
  id?: string | number;
  /** How long the browser waits before reconnecting, in milliseconds. */
  retry?: number;
  /** A comment line (`: ...`), ignored by browsers; keeps proxies from timing the stream out. */
  comment?: string;
}

/**
 * One server-sent event with its fields, for a stream that needs more than data: yield it
 * from an SSE route (`stream: "sse"`) or give it to `eventStream()`. Anything else yielded is
 * the `data` of an event of its own, sent as JSON.
 *
 * @example
 * yield new ServerSentEvent({ event: "price", data: { symbol, price }, id: seq++ });
 */
export class ServerSentEvent implements ServerSentEventFields {
  readonly data?: unknown;
  readonly rawData?: string;
  readonly event?: string;
  readonly id?: string | number;
  readonly retry?: number;
  readonly comment?: string;

  constructor(fields: ServerSentEventFields) {
    if (fields.event !== undefined && /[\r\n]/.test(fields.event)) throw new TypeError("An SSE event name cannot hold a line break");
    // The spec ignores an id with a NUL; a line break would start a field of the client's choosing.
    if (fields.id !== undefined && /[\r\n\0]/.test(String(fields.id))) throw new TypeError("An SSE id cannot hold a line break or NUL");
    if (fields.retry !== undefined && !(Number.isInteger(fields.retry) && fields.retry >= 0)) throw new TypeError(`An SSE retry must be a whole number of milliseconds, got ${fields.retry}`);
    if (fields.data !== undefined && fields.rawData !== undefined) throw new TypeError("An SSE event has data or rawData, not both");
    Object.assign(this, fields);
  }
}

/** The wire form of one event: its fields, each line of data as its own `data:` line, a blank line. */
export function encodeEvent(event: ServerSentEventFields, data: string | undefined): string {
  let text = "";
  if (event.comment !== undefined) for (const line of lines(event.comment)) text += `: ${line}\n`;
  if (event.event !== undefined) text += `event: ${event.event}\n`;
  if (event.id !== undefined) text += `id: ${event.id}\n`;
  if (event.retry !== undefined) text += `retry: ${event.retry}\n`;
  if (data !== undefined) for (const line of lines(data)) text += `data: ${line}\n`;
  return `${text}\n`;
}

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Encodes an event's data: JSON, after the route's check when there is one. */
export type EncodeData = (data: unknown) => string | Promise<string>;

/** Keep-alive comments every 15 s by default: under the 30 to 60 s idle timeouts of common proxies. */
export const DEFAULT_PING_MS = 15_000;

export interface EventStreamOptions {
  /** Milliseconds between keep-alive comments (default 15,000); false for none. */
  ping?: number | false;
  /** Response status (default 200). */
  status?: number;
  /** More response headers. */
  headers?: Record<string, string>;
  /** How each data value becomes text (default JSON.stringify). */
  encodeData?: EncodeData;
  /** Where a failing source is logged. */
  logger?: Logger;
  /** Names the stream in that log line. */
  name?: string;
}

/** The headers every event stream carries: no cache may keep it, no proxy (nginx) may buffer it. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * A `text/event-stream` Response from an async iterable (an async generator, usually): each
 * item is an event, a ServerSentEvent as it is, anything else as JSON data. A keep-alive
 * comment goes out every 15 s. When the client leaves, the generator is closed (its `finally`
 * runs). Compression middleware never touches it: events must arrive as they are sent.
 *
 * @example
 * app.get("/ticks", (_, { signal }) => eventStream((async function* () {
 *   for (let n = 0; ; n++) { yield { n }; await sleep(1000, { signal }); }
 * })()));
 */
export function eventStream(source: AsyncIterable<unknown> | Iterable<unknown>, options: EventStreamOptions = {}): Response {
  const encodeData: EncodeData = options.encodeData ?? ((data) => JSON.stringify(data) ?? "null");
  const encode = (item: unknown): string | Promise<string> => {
    if (!(item instanceof ServerSentEvent)) return then(encodeData(item), (data) => encodeEvent({}, data));
    if (item.data !== undefined) return then(encodeData(item.data), (data) => encodeEvent(item, data));
    return encodeEvent(item, item.rawData);
  };
  const ping = options.ping ?? DEFAULT_PING_MS;
  const body = itemStream(source, encode, {
    keepAlive: ping === false ? undefined : { every: ping, text: ": ping\n\n" },
    logger: options.logger,
    name: options.name,
  });
  return new Response(body, { status: options.status ?? 200, headers: { ...EVENT_STREAM_HEADERS, ...options.headers } });
}

function then<T>(value: T | Promise<T>, next: (value: T) => string): string | Promise<string> {
  return value instanceof Promise ? value.then(next) : next(value);
}
