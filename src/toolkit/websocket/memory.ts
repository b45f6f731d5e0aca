import type { Accept, AcceptOptions, SocketTransport } from "./transport.ts";
import { WebSocketDisconnect } from "./websocket.ts";

type Message = string | Uint8Array;

/**
 * The client's end of an in-process WebSocket, as the TestClient opens it: no socket, no
 * framing, the same handler code. Messages cross in order, each on a later turn of the event
 * loop, as they would over a wire.
 *
 * @example
 * const ws = await client.websocket("/ws/lobby?token=t");
 * await ws.send("hello");
 * assert.equal(await ws.receiveText(), "lobby: hello");
 * await ws.close();
 */
export class TestWebSocket {
  readonly #queue: Message[] = [];
  #waiter: { resolve: (m: Message) => void; reject: (e: Error) => void } | undefined;
  #closed: WebSocketDisconnect | undefined;
  #resolveClosed!: (closed: { code: number; reason: string }) => void;
  /** Set by the server side. */
  toServer: ((data: Message) => void) | undefined;
  closeServer: ((code: number, reason: string) => void) | undefined;
  /** The subprotocol the server chose, and the headers it added, once accepted. */
  subprotocol: string | undefined;
  headers: Record<string, string> = {};
  /** Resolves when the connection has closed, with the code and reason of whoever closed it. */
  readonly closed = new Promise<{ code: number; reason: string }>((resolve) => (this.#resolveClosed = resolve));

  /** Sends a text (string) or binary message to the handler. */
  async send(data: Message): Promise<void> {
    if (this.#closed !== undefined) throw this.#closed;
    const copy = typeof data === "string" ? data : new Uint8Array(data);
    setImmediate(() => this.toServer?.(copy));
  }

  sendJson(value: unknown): Promise<void> {
    return this.send(JSON.stringify(value));
  }

  /** The next message from the handler. Throws WebSocketDisconnect (with the server's code) once closed. */
  async receive(): Promise<Message> {
    const next = this.#queue.shift();
    if (next !== undefined) return next;
    if (this.#closed !== undefined) throw this.#closed;
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  async receiveText(): Promise<string> {
    const data = await this.receive();
    if (typeof data !== "string") throw new TypeError("Expected a text message, got a binary one");
    return data;
  }

  async receiveBytes(): Promise<Uint8Array> {
    const data = await this.receive();
    if (typeof data === "string") throw new TypeError("Expected a binary message, got a text one");
    return data;
  }

  async receiveJson<T = unknown>(): Promise<T> {
    return JSON.parse(await this.receiveText()) as T;
  }

  /** Closes from the client's side (default 1000) and waits for the handler to see it. */
  async close(code = 1000, reason = ""): Promise<{ code: number; reason: string }> {
    if (this.#closed === undefined) {
      this.closedBy(code, reason);
      setImmediate(() => this.closeServer?.(code, reason));
    }
    return this.closed;
  }

  /** The server's message arrives. */
  deliver(data: Message): void {
    if (this.#closed !== undefined) return;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) waiter.resolve(data);
    else this.#queue.push(data);
  }

  /** The connection closed, from either side. */
  closedBy(code: number, reason: string): void {
    if (this.#closed !== undefined) return;
    this.#closed = new WebSocketDisconnect(code, reason);
    this.#waiter?.reject(this.#closed);
    this.#waiter = undefined;
    this.#resolveClosed({ code, reason });
  }
}

/** The server's accept for an in-process connection to `client`. */
export function memoryAccept(client: TestWebSocket, accepted: () => void): Accept {
  return async (options: AcceptOptions) => {
    client.subprotocol = options.subprotocol;
    client.headers = { ...options.headers };
    const transport = new MemoryTransport(client);
    accepted();
    return transport;
  };
}

class MemoryTransport implements SocketTransport {
  readonly #client: TestWebSocket;
  #closed = false;
  #paused: Message[] | undefined;
  onMessage: (data: Message) => void = () => {};
  onClose: (code: number, reason: string) => void = () => {};

  constructor(client: TestWebSocket) {
    this.#client = client;
    client.toServer = (data) => (this.#paused === undefined ? this.onMessage(data) : this.#paused.push(data));
    client.closeServer = (code, reason) => this.#end(code, reason);
  }

  readonly bufferedAmount = 0;

  send(data: Message): void {
    if (this.#closed) return;
    const copy = typeof data === "string" ? data : new Uint8Array(data);
    setImmediate(() => this.#client.deliver(copy));
  }

  whenDrained(drained: () => void): void {
    drained();
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    // The client answers the closing handshake at once, with the same code.
    setImmediate(() => {
      this.#client.closedBy(code, reason);
      this.#end(code, reason);
    });
  }

  terminate(): void {
    this.#client.closedBy(1006, "");
    this.#end(1006, "");
  }

  pause(): void {
    this.#paused ??= [];
  }

  resume(): void {
    const held = this.#paused ?? [];
    this.#paused = undefined;
    for (const data of held) this.onMessage(data);
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(code, reason);
  }
}
