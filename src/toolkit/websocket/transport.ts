/**
 * One accepted WebSocket connection as the server side sees it, whatever carries it: `ws` on
 * node:http (node-upgrade.ts), or the in-process pair the TestClient uses (memory.ts). The
 * WebSocket handlers get (websocket.ts) is written against this alone.
 */
export interface SocketTransport {
  /** Queues one message; `bufferedAmount` grows until the peer has taken it. */
  send(data: string | Uint8Array): void;
  /** Bytes queued but not yet written to the peer. */
  readonly bufferedAmount: number;
  /** Calls `drained` once `bufferedAmount` has fallen to zero (or the connection closed). */
  whenDrained(drained: () => void): void;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Drops the connection without a handshake: the peer is gone or will not answer. */
  terminate(): void;
  /** Stop reading from the peer (the handler is behind), and go on. */
  pause(): void;
  resume(): void;
  /** Set by the WebSocket: each message as it arrives, text as a string. */
  onMessage: (data: string | Uint8Array) => void;
  /** Set by the WebSocket: called once, when the connection has closed, with the peer's code. */
  onClose: (code: number, reason: string) => void;
}

/** What the server answers a handshake with: the chosen subprotocol and extra headers. */
export interface AcceptOptions {
  subprotocol?: string;
  headers?: Record<string, string>;
}

/** Completes the handshake; the transport is the open connection. */
export type Accept = (options: AcceptOptions) => Promise<SocketTransport>;

/** Limits of one WebSocket route; each defaults as documented here, and is on by default. */
export interface WebSocketLimits {
  /** Largest message in bytes, after per-message-deflate inflation (default 1 MiB): over it, close 1009. */
  maxMessageSize: number;
  /**
   * Bytes a send may leave queued for a slow reader (default 1 MiB). Past it, `send()` waits
   * until the queue drains; if it has not within `sendTimeout`, the connection is closed (1008).
   * Sends made without waiting may queue up to twice this; one that would go further closes the
   * connection (1008) at once: a client that never reads cannot grow the server's memory.
   */
  sendBufferLimit: number;
  /** Milliseconds a send may wait for a slow reader (default 30,000). */
  sendTimeout: number;
  /** Messages received but not yet read by the handler before reading from the peer pauses (default 64). */
  receiveQueueLimit: number;
  /** Milliseconds between pings (default 30,000); 0 turns pings off. */
  pingInterval: number;
  /** Milliseconds to wait for the pong before the peer is taken as gone (default 30,000). */
  pingTimeout: number;
  /**
   * Compress messages (RFC 7692), when the client offers it (default false: it costs memory
   * and CPU per connection). Inflated messages are held to `maxMessageSize` all the same.
   */
  perMessageDeflate: boolean;
  /**
   * Which pages may open this socket, by their Origin (cross-site WebSocket hijacking: a
   * browser sends the user's cookies to any site's socket). "same-origin" (default): the Origin's
   * host must be the request's Host; a list: exactly these origins (`"https://app.example"`);
   * "*": any. A request without an Origin (not from a browser) is let through. Refused: 403.
   */
  origins: "same-origin" | "*" | readonly string[];
}

export const defaultWebSocketLimits: WebSocketLimits = {
  maxMessageSize: 1024 * 1024,
  sendBufferLimit: 1024 * 1024,
  sendTimeout: 30_000,
  receiveQueueLimit: 64,
  pingInterval: 30_000,
  pingTimeout: 30_000,
  perMessageDeflate: false,
  origins: "same-origin",
};
