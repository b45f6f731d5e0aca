import type { ServerResponse } from "node:http";
import { finished, type Readable } from "node:stream";

// The node stream behind each body made by nodeBody(), until something reads that body.
const sources = new WeakMap<ReadableStream<Uint8Array>, Readable>();

/**
 * A Fetch body over a node stream (a file's), which the node:http writer can skip: while no one
 * has read the body, nodeSource() hands the node stream back and it is piped straight into the
 * socket. Bridging every chunk through a web stream and its reader made a 1 MB file cost about
 * 1.7 times the CPU per request of piping (bench/HISTORY.md, static files). Bun, Deno, middleware
 * that reads the body get the web stream, which pulls from the node stream only when read.
 */
export function nodeBody(source: Readable): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (chunks === undefined) {
          sources.delete(body);
          chunks = source[Symbol.asyncIterator]();
        }
        const { done, value } = await chunks.next();
        if (done === true) controller.close();
        else controller.enqueue(value);
      },
      cancel() {
        sources.delete(body);
        source.destroy();
      },
    },
    // Nothing is pulled before a read asks for it, so an unread body leaves the node stream alone.
    { highWaterMark: 0 },
  );
  sources.set(body, source);
  return body;
}

/** The node stream behind `body` when nodeBody() made it and nothing has read it; it is then taken. */
export function nodeSource(body: ReadableStream<Uint8Array>): Readable | undefined {
  const source = body.locked ? undefined : sources.get(body);
  if (source !== undefined) sources.delete(body);
  return source;
}

/**
 * Pipes a node stream into the response with backpressure. A client leaving early ends it
 * quietly (the source is destroyed, its file closed); a source failing mid-way aborts the
 * connection, the only signal left once the status line is out, and rejects.
 *
 * Written with `pipe` and two `finished` watchers, as Fastify sends a stream, rather than with
 * `stream.pipeline`: pipeline makes an AbortController per call and aborts it when done, which
 * builds a DOMException (with its stack) for every file sent, 3% of the CPU of a 1 KB static file
 * (bench/HISTORY.md, static files).
 */
export function pipeNodeBody(res: ServerResponse, source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    let sourceOpen = true;
    finished(source, { writable: false }, (error) => {
      sourceOpen = false;
      if (error === undefined || error === null || isPrematureClose(error)) return;
      res.destroy(error);
      reject(error);
    });
    finished(res, (error) => {
      // The client left (or the response was destroyed) before the source ended: stop reading.
      if (sourceOpen) source.destroy();
      if (error === undefined || error === null || isPrematureClose(error)) resolve();
    });
    source.pipe(res);
  });
}

function isPrematureClose(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE";
}
