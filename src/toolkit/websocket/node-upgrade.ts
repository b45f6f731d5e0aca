import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createRequire } from "node:module";
import type { WebSocketServer, WebSocket as WsSocket } from "ws";
import type { Accept, AcceptOptions, SocketTransport, WebSocketLimits } from "./transport.ts";
import { WebSocketDisconnect } from "./websocket.ts";

const DRAIN_POLL_MS = 10;

// What the handler chose at accept, for the ws server's per-server hooks to read back.
const chosen = new WeakMap<IncomingMessage, AcceptOptions>();

/**
 * WebSocket handshakes on node:http, through `ws` (the library Node's own ecosystem runs on:
 * RFC 6455 framing, close handshake, per-message-deflate with inflation bounded by maxPayload).
 * One ws server per set of limits; `noServer`, because spry routes the upgrade itself.
 */
export class NodeUpgrades {
  readonly #servers = new Map<string, WebSocketServer>();

  /** The accept function for one upgrade request: completes the handshake when the handler accepts. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, limits: WebSocketLimits): Accept {
    const server = this.#server(limits);
    return (options) => new Promise<SocketTransport>((resolve, reject) => {
      if (socket.destroyed) return reject(new WebSocketDisconnect(1006, "The client left before the handshake"));
      chosen.set(req, options);
      const onClose = () => reject(new WebSocketDisconnect(1006, "The client left before the handshake"));
      socket.once("close", onClose);
      server.handleUpgrade(req, socket, head, (ws) => {
        socket.off("close", onClose);
        resolve(new NodeTransport(ws, limits));
      });
    });
  }

  #server(limits: WebSocketLimits): WebSocketServer {
    const key = `${limits.maxMessageSize}/${limits.perMessageDeflate}`;
    let server = this.#servers.get(key);
    if (server !== undefined) return server;
    server = new (ws().WebSocketServer)({
      noServer: true,
      clientTracking: false,
      maxPayload: limits.maxMessageSize,
      perMessageDeflate: limits.perMessageDeflate ? { threshold: 1024, concurrencyLimit: 10 } : false,
      // The subprotocol the handler chose at accept; none if it chose none.
      handleProtocols: (_protocols, req) => chosen.get(req)?.subprotocol ?? false,
    });
    server.on("headers", (headers, req) => {
      for (const [name, value] of Object.entries(chosen.get(req)?.headers ?? {})) headers.push(`${name}: ${value}`);
    });
    this.#servers.set(key, server);
    return server;
  }
}

// The last text message any socket received, with the bytes it came in: one per process, so
// that holding it costs at most one message (the route's maxMessageSize), however many sockets.
let lastText: string | undefined;
let lastBytes: Buffer | undefined;

// What ws's Sender reads of a message's options, made once: ws.send copies its caller's options
// into a new object for every message (`{ ...options }`, some 250 instructions of an echo's
// 23,000), where the socket's Sender takes them as they are. The Sender is ws's own
// (`_sender`, stable across ws 8); a ws without one is sent to through ws.send.
interface Sender {
  send(data: string | Uint8Array, options: SendOptions): void;
}
interface SendOptions {
  readonly binary: boolean;
  readonly compress: boolean;
  readonly mask: false;
  readonly fin: true;
}
const sendOptions = (binary: boolean, compress: boolean): SendOptions => Object.freeze({ binary, compress, mask: false, fin: true });
const PLAIN = { text: sendOptions(false, false), binary: sendOptions(true, false) };
const DEFLATED = { text: sendOptions(false, true), binary: sendOptions(true, true) };
const OPEN = 1;

/** One open `ws` connection as a SocketTransport, with the ping/pong liveness check. */
class NodeTransport implements SocketTransport {
  readonly #ws: WsSocket;
  readonly #sender: Sender | undefined;
  readonly #options: typeof PLAIN;
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  onMessage: (data: string | Uint8Array) => void = () => {};
  onClose: (code: number, reason: string) => void = () => {};

  constructor(ws: WsSocket, limits: WebSocketLimits) {
    this.#ws = ws;
    const internals = ws as unknown as { _sender?: Partial<Sender>; _extensions?: Record<string, unknown> };
    this.#sender = typeof internals._sender?.send === "function" ? (internals._sender as Sender) : undefined;
    // Negotiated at the handshake, once: what ws.send looks up on every message.
    this.#options = internals._extensions?.["permessage-deflate"] === undefined ? PLAIN : DEFLATED;
    // A Buffer, as ws gives every message with its default binaryType ("nodebuffer", never
    // changed here): a text one's bytes are valid UTF-8 (ws checks), so they are remembered with
    // their string, to be sent as they are if that string is sent back (sendText below).
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) return this.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const text = data.toString();
      lastText = text;
      lastBytes = data;
      this.onMessage(text);
    });
    // A message over maxPayload (1009), a malformed frame (1002), invalid UTF-8 (1007): ws has
    // already sent the close frame and reports it here; the close event follows.
    ws.on("error", () => {});
    ws.once("close", (code, reason) => {
      clearInterval(this.#pingTimer);
      clearTimeout(this.#pongTimer);
      this.onClose(code, reason.toString("utf8"));
    });
    if (limits.pingInterval > 0) {
      let awaitingPong = false;
      ws.on("pong", () => {
        awaitingPong = false;
        clearTimeout(this.#pongTimer);
      });
      this.#pingTimer = setInterval(() => {
        if (awaitingPong) return;
        awaitingPong = true;
        ws.ping();
        // No pong in time: the peer is gone (a dead network path never says so); drop it.
        this.#pongTimer = setTimeout(() => ws.terminate(), limits.pingTimeout);
      }, limits.pingInterval);
    }
  }

  // ws's own count: bytes in its queue and in the socket's write buffer.
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  // No per-message callback: the hot path of an echo is one call into ws.
  send(data: string | Uint8Array): void {
    const sender = this.#sender;
    // A socket that is closing: ws.send reports it as ws does (the bytes counted, nothing sent).
    if (sender === undefined || this.#ws.readyState !== OPEN) return this.#ws.send(data);
    if (typeof data !== "string") return sender.send(data, this.#options.binary);
    // The text last received, sent back (an echo) or on to other sockets (a broadcast): its
    // bytes as they came, rather than encoding the string to UTF-8 again.
    sender.send(data === lastText ? lastBytes! : data, this.#options.text);
  }

  // Only a sender that went over its buffer limit waits here (a slow reader): a poll every 10 ms
  // costs that rare case little, where a callback on every send would cost every message.
  whenDrained(drained: () => void): void {
    const ws = this.#ws;
    const check = () => {
      if (ws.bufferedAmount === 0 || ws.readyState === ws.CLOSED) drained();
      else setTimeout(check, DRAIN_POLL_MS);
    };
    check();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }
}

// Loaded with the first WebSocket handshake: ws brings node:https, node:tls and node:zlib, some
// 10 MB of RSS that an app serving no WebSocket should not carry.
let wsModule: typeof import("ws") | undefined;
function ws(): typeof import("ws") {
  return (wsModule ??= createRequire(import.meta.url)("ws") as typeof import("ws"));
}
