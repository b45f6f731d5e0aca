import type { ServerResponse } from "node:http";
import { wireValue } from "./header-check.ts";
import { statusHasNoBody } from "../common/status.ts";

/**
 * Writes a Fetch API Response to node:http, streaming its body with backpressure.
 * If the client leaves mid-stream, writing stops and the body's source is cancelled,
 * so a generator behind a ReadableStream is closed rather than left running.
 */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  if (res.headersSent || res.destroyed) {
    await response.body?.cancel();
    return;
  }
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  // A Response's header values are text like every other header's (docs/responses.md).
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, wireValue(value));
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies.map(wireValue));
  return pipeBody(res, response.status, response.body);
}

/** Writes a status, headers and a streamed body. */
export async function writeStream(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number | string[]>,
  body: ReadableStream<Uint8Array>,
): Promise<void> {
  if (res.headersSent || res.destroyed) {
    await body.cancel();
    return;
  }
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name]!);
  return pipeBody(res, status, body);
}

async function pipeBody(res: ServerResponse, status: number, body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null || statusHasNoBody(status)) {
    res.end();
    await body?.cancel();
    return;
  }
  const reader = body.getReader();
  const onClose = () => void reader.cancel().catch(() => {});
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    // The source failed mid-stream: the status line is gone, so the only honest signal
    // left to the client is an aborted connection.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  } finally {
    res.off("close", onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
