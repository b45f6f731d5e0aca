// Real sockets against a real server: `serve()` on a free port, raw bytes in, raw bytes out.
// Every wait has a generous upper bound, so a broken promise fails a test instead of hanging it;
// no test asserts a duration.
import { request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { serve, type Running, type Servable, type ServeOptions } from "spry/server";

/** Upper bound on any single wait; far above what any case needs, even on a loaded machine. */
export const PATIENCE_MS = 5000;

export interface RawResponse {
  readonly status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  readonly headers: Record<string, string>;
  /** One character per byte (latin1), so that it lines up with Content-Length. */
  readonly body: string;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export class TestServer {
  readonly running: Running;
  readonly port: number;
  readonly #clients = new Set<RawConnection>();

  private constructor(running: Running) {
    this.running = running;
    this.port = Number(new URL(running.url).port);
  }

  /** Serves `app` on a free port of 127.0.0.1, without signal handlers. */
  static async start(app: Servable, options: ServeOptions = {}): Promise<TestServer> {
    // No access log unless a test asks: the lines would land among the test runner's output.
    return new TestServer(await serve(app, { gracePeriod: 1000, accessLog: false, ...options, host: "127.0.0.1", port: 0, handleSignals: false }));
  }

  get server(): Server {
    return this.running.server;
  }

  /** Opens a raw TCP connection; it is destroyed by `close()` if the test left it open. */
  async connect(): Promise<RawConnection> {
    const connection = await RawConnection.open(this.port);
    this.#clients.add(connection);
    connection.socket.once("close", () => this.#clients.delete(connection));
    return connection;
  }

  /** Sends `bytes` on a new connection and reads the first response. */
  async send(bytes: string | Uint8Array): Promise<{ response: RawResponse; connection: RawConnection }> {
    const connection = await this.connect();
    connection.write(bytes);
    return { response: await connection.response(), connection };
  }

  /** One request through node:http's own client, on a fresh connection. */
  get(path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: this.port, path, headers, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      });
      req.setTimeout(PATIENCE_MS, () => req.destroy(new Error(`GET ${path}: no response within ${PATIENCE_MS} ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  connections(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  async close(): Promise<void> {
    for (const client of this.#clients) client.destroy();
    await this.running.close();
  }
}

/** A client TCP connection that buffers everything the server sends and parses responses from it. */
export class RawConnection {
  readonly socket: Socket;
  #buffer = "";
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
    // A write racing the server's close fails with EPIPE or ECONNRESET; what was already
    // received stays in the buffer, and "close" follows.
    socket.on("error", () => {});
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Whether the server has closed the connection (or it was destroyed here). */
  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: string | Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  /** The next complete response, taken off the buffer. */
  async response(): Promise<RawResponse> {
    let parsed: { response: RawResponse; rest: string } | undefined;
    await this.#until(() => (parsed = parseResponse(this.#buffer, this.#closed)) !== undefined, "a complete response");
    this.#buffer = parsed!.rest;
    return parsed!.response;
  }

  /** Resolves once the server has closed the connection. */
  async closedByServer(): Promise<void> {
    await this.#until(() => this.#closed, "the server to close the connection");
  }

  /** What arrived and has not been taken by `response()`. */
  get unread(): string {
    return this.#buffer;
  }

  destroy(): void {
    this.socket.destroy();
  }

  async #until(ready: () => boolean, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.#wake = () => {
          if (ready()) resolve();
          else if (this.#closed) reject(new Error(`The connection closed before ${what}; received: ${JSON.stringify(this.#buffer.slice(0, 500))}`));
        };
        this.#wake();
        timer = setTimeout(() => reject(new Error(`Waited ${PATIENCE_MS} ms for ${what}; received so far: ${JSON.stringify(this.#buffer.slice(0, 500))}`)), PATIENCE_MS);
      });
    } finally {
      clearTimeout(timer);
      this.#wake = undefined;
    }
  }
}

/**
 * Writes `line(i)` every `everyMs` ms, for i = 0, 1, 2, ..., until the connection closes.
 * Returns a function that stops it early.
 */
export function trickle(connection: RawConnection, line: (i: number) => string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (connection.closed) return clearInterval(timer);
    connection.write(line(i++));
  }, everyMs);
  connection.socket.once("close", () => clearInterval(timer));
  return () => clearInterval(timer);
}

/** Polls `ready` until it holds; false if it still does not after PATIENCE_MS. */
export async function eventually(ready: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    if (await ready()) return true;
    if (Date.now() > deadline) return false;
    await delay(10);
  }
}

/** A request head with CRLF line endings; `lines` are the request line and the headers. */
export function head(...lines: string[]): string {
  return lines.map((line) => `${line}\r\n`).join("") + "\r\n";
}

// Enough of HTTP/1.1 to read what node:http writes: a body framed by Content-Length, by
// chunked encoding, or (node's own refusals) by the connection closing.
function parseResponse(buffer: string, closed: boolean): { response: RawResponse; rest: string } | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine, ...lines] = buffer.slice(0, end).split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine!);
  if (match === null) throw new Error(`Not an HTTP/1 status line: ${JSON.stringify(statusLine)}`);
  const status = Number(match[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const start = end + 4;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { response: { status, headers, body: "" }, rest: buffer.slice(start) };
  }
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    let body = "";
    let at = start;
    for (;;) {
      const lineEnd = buffer.indexOf("\r\n", at);
      if (lineEnd === -1) return undefined;
      const size = parseInt(buffer.slice(at, lineEnd), 16);
      if (size === 0) {
        const trailerEnd = buffer.indexOf("\r\n", lineEnd + 2);
        if (trailerEnd === -1) return undefined;
        return { response: { status, headers, body }, rest: buffer.slice(trailerEnd + 2) };
      }
      if (buffer.length < lineEnd + 2 + size + 2) return undefined;
      body += buffer.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    if (buffer.length < start + length) return undefined;
    return { response: { status, headers, body: buffer.slice(start, start + length) }, rest: buffer.slice(start + length) };
  }
  return closed ? { response: { status, headers, body: buffer.slice(start) }, rest: "" } : undefined;
}
