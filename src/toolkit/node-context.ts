import type { IncomingMessage, ServerResponse } from "node:http";
import { Context, type AppConfig, type OutgoingHeaders } from "./context.ts";
import { bodyTooLarge, decodedBody, readAll } from "./request-body.ts";
import type { Readable } from "node:stream";
import { statusHasNoBody } from "../common/status.ts";
import { ClientDisconnected } from "./signals.ts";
import { writeResponse, writeStream } from "./write-response.ts";
import { wireHeaders } from "./header-check.ts";

/** The native node:http path: reads from IncomingMessage, writes straight to ServerResponse. */
export class NodeContext extends Context {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;

  constructor(req: IncomingMessage, res: ServerResponse, config: AppConfig) {
    super(req.method ?? "GET", req.url ?? "/", config);
    this.req = req;
    this.res = res;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  headerNames(): string[] {
    return Object.keys(this.req.headers);
  }

  // Read from rawHeaders rather than req.headersDistinct, which simulated requests (the test
  // client's) lack; node builds headersDistinct from the same list.
  headerValues(name: string): string[] {
    const raw = this.req.rawHeaders;
    const values: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!);
    }
    return values;
  }

  // Tied to the response, not the request: `req` emits "close" as soon as the body has been
  // read, which is not the client leaving (the bug Fastify's request.signal had).
  protected watchClient(leave: () => void): void {
    const res = this.res;
    if (res.writableEnded) return;
    if (res.destroyed || this.req.socket.destroyed) return leave();
    res.once("close", () => {
      if (!res.writableEnded) leave();
    });
  }

  protected whenDone(done: () => void): void {
    // "close" comes after the last byte was handed to the socket, or when the client left.
    if (this.res.closed) queueMicrotask(done);
    else this.res.once("close", done);
  }

  get sent(): boolean {
    return this.res.headersSent;
  }

  protected readBody(): Promise<Uint8Array> {
    const limit = this.bodyLimit;
    const declared = Number(this.req.headers["content-length"] ?? 0);
    if (declared > limit) return Promise.reject(bodyTooLarge(limit));
    const encoding = this.req.headers["content-encoding"];
    // Plain bodies, the common case, skip the stream pipeline.
    if (encoding === undefined || encoding === "identity") return readStream(this.req, limit);
    try {
      return readAll(this.bodyStream());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  bodyStream(): Readable {
    const req = this.req;
    return decodedBody(req, req.headers["content-encoding"], this.bodyLimit, () => !req.complete);
  }

  protected write(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return;
    if (statusHasNoBody(status)) {
      res.writeHead(status, wireHeaders(headers));
      res.end();
      return;
    }
    if (body === null) {
      res.writeHead(status, { ...wireHeaders(headers), "content-length": 0 });
      res.end();
      return;
    }
    const wire = wireHeaders(headers);
    // node:http writes a head with a string body as one UTF-8 string, which would encode the
    // head's bytes a second time; with a Buffer body the head goes out byte for byte.
    const payload = wire !== headers && typeof body === "string" ? Buffer.from(body) : body;
    const length = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
    res.writeHead(status, { ...wire, "content-length": length });
    res.end(payload);
  }

  protected writeResponse(response: Response): Promise<void> {
    return writeResponse(this.res, response);
  }

  protected writeStream(status: number, headers: OutgoingHeaders, body: ReadableStream<Uint8Array>): Promise<void> {
    return writeStream(this.res, status, wireHeaders(headers), body);
  }
}

function readStream(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  // Its "error" has already been emitted, and would never reach the listeners below.
  if (req.destroyed && !req.complete) return Promise.reject(new ClientDisconnected());
  // Already consumed by bodyStream() (a multipart form): its "end" will not come again.
  if (req.readableEnded) return Promise.reject(new Error("The request body was already read as a stream"));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      // node:http fails an unfinished body with "aborted" when its connection closes: the client
      // left, or the server refused the rest (a malformed chunk, the request timeout) and has
      // already answered. Either way nobody is left to answer, and the app did nothing wrong.
      reject(req.complete ? error : new ClientDisconnected());
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
