import { Readable } from "node:stream";
import { Context, type AppConfig, type OutgoingHeaders } from "../context.ts";
import type { Accept, WebSocketLimits } from "./transport.ts";
import { WebSocket } from "./websocket.ts";

/**
 * A WebSocket handshake as the layers above see it: the same Context an HTTP request gives (its
 * path, query, headers, cookies, signal, ctx.defer), so declared inputs and dependencies read
 * it unchanged. Its life is the connection's: the signal aborts and deferred teardowns run when
 * the socket closes. A refusal before accept (404, 403, an HTTPException from a dependency) is
 * an ordinary HTTP response on the request it came from.
 */
export class WebSocketContext extends Context {
  readonly #inner: Context;
  readonly websocket: WebSocket;
  #accepted = false;
  #denied = false;
  #done: (() => void)[] = [];
  #finished = false;

  constructor(inner: Context, config: AppConfig, accept: Accept, limits: WebSocketLimits) {
    super(inner.method, inner.search === "" ? inner.path : `${inner.path}?${inner.search}`, config);
    this.#inner = inner;
    const protocols = (inner.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
    this.websocket = new WebSocket({
      accept: (options) => accept(options).then((transport) => {
        this.#accepted = true;
        return transport;
      }),
      deny: (status) => {
        this.#denied = true;
        inner.send(status, { "content-type": "application/json" }, JSON.stringify({ detail: status === 403 ? "Forbidden" : "WebSocket refused" }));
      },
      limits,
      protocols,
    });
    void this.websocket.closed.then(() => this.#end());
  }

  override get rootPath(): string {
    return this.#inner.rootPath;
  }

  header(name: string): string | undefined {
    return this.#inner.header(name);
  }

  headerNames(): string[] {
    return this.#inner.headerNames();
  }

  headerValues(name: string): string[] {
    return this.#inner.headerValues(name);
  }

  protected watchClient(leave: () => void): void {
    if (this.#finished) return leave();
    this.websocket.signal.addEventListener("abort", leave, { once: true });
  }

  protected whenDone(done: () => void): void {
    if (this.#finished) queueMicrotask(done);
    else this.#done.push(done);
  }

  // The connection is over: closed, or its handshake answered with an HTTP refusal.
  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const done of this.#done.splice(0)) done();
  }

  /** Whether the handshake was answered: accepted, or refused with an HTTP response. */
  get sent(): boolean {
    return this.#accepted || this.#denied || this.#inner.sent;
  }

  get accepted(): boolean {
    return this.#accepted;
  }

  bodyStream(): Readable {
    return Readable.from([]);
  }

  protected readBody(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(0));
  }

  // Only before accept: an HTTP answer to the handshake request.
  protected write(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void {
    this.#denied = true;
    this.#inner.send(status, headers, body);
    this.#end();
  }

  protected async writeResponse(response: Response): Promise<void> {
    this.#denied = true;
    await this.#inner.sendResponse(response);
    this.#end();
  }

  protected async writeStream(status: number, headers: OutgoingHeaders, body: ReadableStream<Uint8Array>): Promise<void> {
    const list: [string, string][] = [];
    for (const [name, value] of Object.entries(headers)) for (const v of [value].flat()) list.push([name, String(v)]);
    await this.writeResponse(new Response(body, { status, headers: list }));
  }
}
