import type { Logger } from "../../common/logger.ts";

/** Turns one item into the exact text sent for it (a JSON line, an SSE event). May validate first. */
export type EncodeItem = (item: unknown) => string | Promise<string>;

export interface ItemStreamOptions {
  /** Sent when nothing else was for this many milliseconds (SSE's keep-alive comment); off when undefined. */
  keepAlive?: { readonly every: number; readonly text: string } | undefined;
  /** Where an item or the source failing is logged; the stream then ends after the last whole item. */
  logger?: Logger | undefined;
  /** Names the stream in that log line (the route). */
  name?: string | undefined;
}

const encoder = new TextEncoder();

/**
 * A byte stream of `source`'s items, each encoded whole before a byte of it is queued, so a
 * reader only ever sees complete items. Pulled: the next item is asked for only when the
 * previous one has been taken, so a slow client slows the source instead of growing a buffer.
 *
 * When the reader cancels (the client left) the source's iterator is closed: an async
 * generator's `finally` runs (once its pending await, if any, settles: give it the request's
 * signal). When an item or the source fails, the failure is logged and the stream ends.
 */
export function itemStream(source: AsyncIterable<unknown> | Iterable<unknown>, encode: EncodeItem, options: ItemStreamOptions = {}): ReadableStream<Uint8Array> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  const keepAlive = options.keepAlive;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (keepAlive === undefined) return;
        const ping = encoder.encode(keepAlive.text);
        timer = setInterval(() => {
          if (!done) controller.enqueue(ping);
        }, keepAlive.every);
        // A keep-alive timer alone never holds the process open.
        timer.unref();
      },
      async pull(controller) {
        let text: string;
        try {
          const next = await iterator.next();
          if (done) return;
          if (next.done === true) {
            stop();
            controller.close();
            return;
          }
          text = await encode(next.value);
        } catch (error) {
          if (done) return;
          stop();
          options.logger?.error({ err: error, route: options.name }, "A streamed response's source failed: the stream ends after its last whole item");
          // The iterator may still hold resources (the item failed, not the generator).
          void Promise.resolve(iterator.return?.()).catch(() => {});
          controller.close();
          return;
        }
        if (done) return;
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        stop();
        await iterator.return?.();
      },
    },
    // Nothing is read ahead: the next item is produced only when this one has gone.
    { highWaterMark: 0 },
  );
}

async function* toAsync<T>(iterator: Iterator<T>): AsyncGenerator<T> {
  try {
    for (;;) {
      const next = iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    iterator.return?.();
  }
}

/** Whether `value` is something to stream: an (async) generator or other async iterable, never a string or array. */
export function isItemSource(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value && !(value instanceof ReadableStream);
}
