import { Buffer } from "node:buffer";
import type { SocketTransport, WebSocketLimits } from "./transport.ts";
import { CloseCode, WebSocketDisconnect } from "./websocket.ts";

type Message = string | Uint8Array;

const DRAIN_POLL_MS = 10;

/**
 * What a Fetch host's server-side socket offers (Bun's ServerWebSocket, Deno's WebSocket): the
 * part the two share, each transport below adapts its host's to it.
 */
export interface HostSocket {
  send(data: Message): void;
  readonly bufferedAmount: number;
  readonly open: boolean;
  close(code: number, reason: string): void;
  /** Drops the connection without the closing handshake, where the host can. */
  terminate(): void;
  /** Sends a ping, where the host lets the app do it (Bun); undefined where the host pings itself (Deno). */
  ping?(): void;
}

/**
 * One accepted WebSocket on Bun or Deno as a SocketTransport. Neither host lets an app stop
 * reading a socket, so where node:http pauses a flooding client (its messages wait in its own
 * socket), here the messages the handler has not read are counted once it falls behind: past
 * four times `receiveQueueLimit` the socket closes with 1008, bounding what a flood can hold.
 * The message size limit of the route is checked on each message, under the host's own.
 */
export class HostTransport implements SocketTransport {
  #socket: HostSocket | undefined;
  readonly #limits: WebSocketLimits;
  #paused = false;
  #unreadWhilePaused = 0;
  #closed = false;
  #ended = false;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #awaitingPong = false;
  readonly #drainWaiters: (() => void)[] = [];
  onMessage: (data: Message) => void = () => {};
  onClose: (code: number, reason: string) => void = () => {};
  #opened!: { resolve: (transport: SocketTransport) => void; reject: (error: WebSocketDisconnect) => void };
  /** Resolves once the host has opened the socket; rejects if the client left first. */
  readonly opened = new Promise<SocketTransport>((resolve, reject) => (this.#opened = { resolve, reject }));

  constructor(limits: WebSocketLimits) {
    this.#limits = limits;
  }

  /** The host's socket is open: messages and pings may flow. */
  attach(socket: HostSocket): void {
    this.#socket = socket;
    this.#opened.resolve(this);
    const { pingInterval, pingTimeout } = this.#limits;
    if (pingInterval > 0 && socket.ping !== undefined) {
      this.#pingTimer = setInterval(() => {
        if (this.#awaitingPong || !socket.open) return;
        this.#awaitingPong = true;
        socket.ping!();
        // No pong in time: the peer is gone (a dead network path never says so); drop it.
        this.#pongTimer = setTimeout(() => socket.terminate(), pingTimeout);
      }, pingInterval);
    }
  }

  /** The host's message event. */
  received(data: Message): void {
    if (this.#closed) return;
    if (tooBig(data, this.#limits.maxMessageSize)) {
      this.close(CloseCode.messageTooBig, "Message too big");
      return;
    }
    if (this.#paused && ++this.#unreadWhilePaused > 3 * this.#limits.receiveQueueLimit) {
      this.close(CloseCode.policyViolation, "Too many unread messages");
      return;
    }
    this.onMessage(data);
  }

  /** The host's pong event. */
  ponged(): void {
    this.#awaitingPong = false;
    clearTimeout(this.#pongTimer);
  }

  /** The host's drain event (Bun), or a poll's finding (Deno). */
  drained(): void {
    for (const waiter of this.#drainWaiters.splice(0)) waiter();
  }

  /** The host's close event: called once, with the peer's code (1006 when there was none). */
  ended(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#closed = true;
    this.#socket = undefined;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.drained();
    this.#opened.reject(new WebSocketDisconnect(1006, "The client left before the handshake"));
    this.onClose(code, reason);
  }

  get bufferedAmount(): number {
    return this.#socket?.bufferedAmount ?? 0;
  }

  send(data: Message): void {
    if (this.#socket === undefined || !this.#socket.open) throw new WebSocketDisconnect(1006, "The connection is closed");
    this.#socket.send(data);
  }

  whenDrained(drained: () => void): void {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      drained();
    };
    // Bun says when its queue drains; the poll covers Deno, which does not.
    this.#drainWaiters.push(once);
    const check = () => {
      if (done) return;
      if (this.bufferedAmount === 0 || this.#socket === undefined) once();
      else setTimeout(check, DRAIN_POLL_MS);
    };
    check();
  }

  close(code: number, reason: string): void {
    this.#closed = true;
    this.#socket?.close(code, reason);
  }

  terminate(): void {
    this.#closed = true;
    this.#socket?.terminate();
  }

  pause(): void {
    this.#paused = true;
    this.#unreadWhilePaused = 0;
  }

  resume(): void {
    this.#paused = false;
  }
}

// UTF-8 takes at most three bytes per UTF-16 unit: most text is known to fit without counting.
function tooBig(data: Message, limit: number): boolean {
  if (typeof data !== "string") return data.byteLength > limit;
  return data.length * 3 > limit && Buffer.byteLength(data) > limit;
}
