import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import type { Readable } from "node:stream";

// The node stream behind each body made by nodeBody(), until something reads that body.
const sources = new WeakMap<ReadableStream<Uint8Array>, Readable>();

/**
 * A Fetch body over a node stream (a file's), which the node:http writer can skip: while no one
 * has read the body, nodeSource() hands the node stream back and it is piped straight into the
 * socket. Bridging every chunk through a web stream and its reader made a 1 MB file cost about
 * 1.7 times the CPU per request of piping (bench/README.md, static files). Bun, Deno, middleware
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
 */
export function pipeNodeBody(res: ServerResponse, source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    pipeline(source, res, (error) => {
      if (error === null || error === undefined || (error as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE") resolve();
      else reject(error);
    });
  });
}
