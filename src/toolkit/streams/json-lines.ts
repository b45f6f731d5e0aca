import type { Logger } from "../../common/logger.ts";
import { itemStream } from "./item-stream.ts";

export interface JsonLinesOptions {
  status?: number;
  headers?: Record<string, string>;
  /** How each item becomes one line of JSON (default JSON.stringify); a route's model checks it here. */
  encodeItem?: (item: unknown) => string | Promise<string>;
  /** Where a failing source is logged. */
  logger?: Logger;
  /** Names the stream in that log line. */
  name?: string;
}

/**
 * An `application/jsonl` Response: one JSON value per line, each sent as soon as the source
 * yields it. JSON never holds a raw line break, so every line is one item, whole. A failing
 * item or source is logged and the stream ends after the last whole line.
 *
 * @example
 * app.get("/export", () => jsonLines(db.streamRows()));
 */
export function jsonLines(source: AsyncIterable<unknown> | Iterable<unknown>, options: JsonLinesOptions = {}): Response {
  const encodeItem = options.encodeItem ?? ((item: unknown) => JSON.stringify(item) ?? "null");
  const encode = (item: unknown): string | Promise<string> => {
    const line = encodeItem(item);
    return line instanceof Promise ? line.then((text) => `${text}\n`) : `${line}\n`;
  };
  const body = itemStream(source, encode, { logger: options.logger, name: options.name });
  return new Response(body, { status: options.status ?? 200, headers: { "content-type": "application/jsonl", ...options.headers } });
}
