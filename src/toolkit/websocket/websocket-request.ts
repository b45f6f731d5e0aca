import { Readable } from "node:stream";
import { SpryRequest, type Client, type RouteInfo } from "../request.ts";
import { jsonResponse, type ResponseLike } from "../response.ts";
import { callDone, type WhenDone } from "../scope.ts";
import type { Accept, WebSocketLimits } from "./transport.ts";
import { WebSocket } from "./websocket.ts";

/**
 * Writes the HTTP answer to a handshake that is refused rather than accepted, through the
 * writer of the transport it came on (node-writer.ts on node:http; the TestClient keeps the
 * Fetch Response). Called at most once.
 */
export type Refuse = (response: ResponseLike) => void | Promise<void>;

/**
 * A WebSocket handshake as the layers above see it: the request it came as (its path, query,
 * headers, cookies, client, request id), so that declared inputs and dependencies read it
 * unchanged, plus the socket. Its life is the connection's: the signal aborts and the scope's
 * deferred work (request-scoped dependency teardowns) runs when the socket closes. A refusal
 * before accept (404, 403, an HTTPException from a dependency) is an ordinary HTTP response to
 * the request it came as, written once by `refuse`.
 */
export class WebSocketRequest<Tasks = unknown> extends SpryRequest<Tasks> {
  readonly #inner: SpryRequest<Tasks>;
  readonly #refuse: Refuse;
  readonly websocket: WebSocket;
  #accepted = false;
  #refused = false;
  #done: WhenDone[] = [];
  #finished = false;

  constructor(inner: SpryRequest<Tasks>, accept: Accept, limits: WebSocketLimits, refuse: Refuse) {
    super(inner.method, inner.search === "" ? inner.path : `${inner.path}?${inner.search}`, inner.config);
    this.#inner = inner;
    this.#refuse = refuse;
    const protocols = (inner.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
    this.websocket = new WebSocket({
      accept: (options) => accept(options).then((transport) => {
        this.#accepted = true;
        return transport;
      }),
      // Closed before accept: as Starlette, the handshake is answered 403.
      deny: (status) => void this.refuse(jsonResponse(status, { detail: status === 403 ? "Forbidden" : "WebSocket refused" })),
      limits,
      protocols,
    });
    void this.websocket.closed.then(() => this.#end());
  }

  /** Whether the handler accepted the connection. */
  get accepted(): boolean {
    return this.#accepted;
  }

  /** Whether the handshake was answered: accepted, or refused with an HTTP response. */
  get answered(): boolean {
    return this.#accepted || this.#refused;
  }

  /**
   * Answers the handshake with `response` instead of accepting it, once; later answers, and any
   * after accept, are dropped. The connection's life is over once it is written.
   */
  async refuse(response: ResponseLike): Promise<void> {
    if (this.answered) return;
    this.#refused = true;
    try {
      await this.#refuse(response);
    } finally {
      this.#end();
    }
  }

  override matched(params: Record<string, string | undefined>, route: RouteInfo): void {
    super.matched(params, route);
    this.#inner.matched(params, route);
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

  get headers(): Headers {
    return this.#inner.headers;
  }

  get client(): Client | undefined {
    return this.#inner.client;
  }

  get scheme(): "http" | "https" {
    return this.#inner.scheme;
  }

  get authority(): string | undefined {
    return this.#inner.authority;
  }

  override get requestId(): string | undefined {
    return this.#inner.requestId;
  }

  override get rootPath(): string {
    return this.#inner.rootPath;
  }

  protected fullUrl(): URL {
    return this.#inner.url;
  }

  protected watchClient(): void {
    if (this.#finished) return this.clientLeft();
    this.websocket.signal.addEventListener("abort", () => this.clientLeft(), { once: true });
  }

  whenDone(done: WhenDone): void {
    if (this.#finished) queueMicrotask(() => callDone(done));
    else this.#done.push(done);
  }

  // The connection is over: closed, or its handshake answered with an HTTP refusal.
  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const done of this.#done.splice(0)) callDone(done);
  }

  // A handshake has no body.
  bodyStream(): Readable {
    return Readable.from([]);
  }

  protected readBody(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(0));
  }
}
