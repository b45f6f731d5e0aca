import type { Accept, AcceptOptions, WebSocketLimits } from "./transport.ts";
import { HostTransport, type HostSocket } from "./host-socket.ts";

/** Bun's ServerWebSocket, as far as spry uses it; `data` is what `server.upgrade` was given. */
interface BunServerWebSocket {
  readonly data: HostTransport;
  readonly readyState: number;
  send(data: string | Uint8Array): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): number;
  getBufferedAmount(): number;
}

/** The second argument Bun gives a fetch handler: its server, which upgrades requests. */
interface BunServer {
  upgrade(request: Request, options: { data: HostTransport; headers?: Record<string, string> }): boolean;
}

/** Deno's server-side WebSocket (the browser's API) and the upgrade that makes one. */
interface DenoWebSocket {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
}
type DenoUpgrade = (request: Request, options: { idleTimeout?: number }) => { socket: DenoWebSocket; response: Response };

const OPEN = 1;

/** Whether a Fetch request asks for a WebSocket. */
export function isWebSocketHandshake(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** How the host running app.fetch upgrades a request, if it can: Bun's server, or Deno's global. */
export function hostUpgrade(server: unknown): ((limits: WebSocketLimits, options: AcceptOptions, request: Request) => { transport: HostTransport; response: Response | undefined }) | undefined {
  if (typeof (server as Partial<BunServer> | undefined)?.upgrade === "function") return (limits, options, request) => bunUpgrade(server as BunServer, limits, options, request);
  const deno = (globalThis as { Deno?: { upgradeWebSocket?: DenoUpgrade } }).Deno?.upgradeWebSocket;
  if (typeof deno === "function") return (limits, options, request) => denoUpgrade(deno, limits, options, request);
  return undefined;
}

/**
 * A WebSocket handshake reaching `app.fetch` on Bun or Deno, taken through the host's own
 * upgrade: `handle` routes it as on node:http (inputs, dependencies, origins, limits), and when
 * the handler accepts, the host completes the handshake. Resolves with what the fetch handler
 * must return: Deno's 101 response, nothing on Bun (which answers the upgrade itself once the
 * handler returns), or the HTTP response that refused the handshake.
 */
export function upgradeOnHost(
  request: Request,
  upgrade: NonNullable<ReturnType<typeof hostUpgrade>>,
  handle: (request: Request, acceptFor: (limits: WebSocketLimits) => Accept) => Promise<Response | undefined>,
): Promise<Response | undefined> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const answer = (response: Response | undefined) => {
      if (answered) return;
      answered = true;
      resolve(response);
    };
    const acceptFor = (limits: WebSocketLimits): Accept => (options) => {
      const { transport, response } = upgrade(limits, options, request);
      answer(response);
      return transport.opened;
    };
    handle(request, acceptFor).then(
      // The session is over; a handshake neither accepted nor refused cannot be (not reached).
      (refusal) => answer(refusal ?? new Response(null, { status: 500 })),
      (error: unknown) => (answered ? undefined : reject(error)),
    );
  });
}

/** The handlers Bun.serve's `websocket` option takes, for sockets upgraded by `bunUpgrade`. */
export function bunWebSocketHandlers(options: { maxPayloadLength: number; perMessageDeflate: boolean }) {
  return {
    maxPayloadLength: options.maxPayloadLength,
    perMessageDeflate: options.perMessageDeflate,
    // spry pings (and drops a peer that never answers) itself, per route; and bounds what a
    // slow reader may queue (the send waits): Bun must neither close nor drop on its own.
    sendPings: false,
    idleTimeout: 0,
    backpressureLimit: 2 ** 30,
    closeOnBackpressureLimit: false,
    open(ws: BunServerWebSocket): void {
      ws.data.attach(bunSocket(ws));
    },
    message(ws: BunServerWebSocket, message: string | Uint8Array): void {
      ws.data.received(typeof message === "string" ? message : new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    },
    drain(ws: BunServerWebSocket): void {
      ws.data.drained();
    },
    pong(ws: BunServerWebSocket): void {
      ws.data.ponged();
    },
    close(ws: BunServerWebSocket, code: number, reason: string): void {
      ws.data.ended(code, reason);
    },
  };
}

function bunUpgrade(server: BunServer, limits: WebSocketLimits, options: AcceptOptions, request: Request) {
  const transport = new HostTransport(limits);
  const headers = { ...options.headers, ...(options.subprotocol !== undefined && { "Sec-WebSocket-Protocol": options.subprotocol }) };
  let upgraded: boolean;
  try {
    upgraded = server.upgrade(request, { data: transport, headers });
  } catch (error) {
    // Bun throws when Bun.serve was given no `websocket` handlers.
    throw new Error(`Bun could not upgrade the request: pass \`websocket: app.bunWebSocket\` to Bun.serve (${(error as Error).message})`);
  }
  if (!upgraded) throw new Error("Bun refused to upgrade the request");
  return { transport, response: undefined };
}

function bunSocket(ws: BunServerWebSocket): HostSocket {
  return {
    send: (data) => void ws.send(data),
    get bufferedAmount() {
      return ws.getBufferedAmount();
    },
    get open() {
      return ws.readyState === OPEN;
    },
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    ping: () => void ws.ping(),
  };
}

function denoUpgrade(upgrade: DenoUpgrade, limits: WebSocketLimits, options: AcceptOptions, request: Request) {
  // Deno pings on its own, and closes a socket whose pong is this many seconds late.
  const idleTimeout = limits.pingInterval > 0 ? Math.max(1, Math.ceil(limits.pingTimeout / 1000)) : 0;
  // The subprotocol goes in as a header: Deno's own check splits the client's list on ", "
  // only, and refuses a protocol offered as "a,b" (which is what `ws` sends).
  const { socket, response } = upgrade(request, { idleTimeout });
  for (const [name, value] of Object.entries(options.headers ?? {})) response.headers.set(name, value);
  if (options.subprotocol !== undefined) response.headers.set("sec-websocket-protocol", options.subprotocol);
  socket.binaryType = "arraybuffer";
  const transport = new HostTransport(limits);
  socket.onopen = () => transport.attach(denoSocket(socket));
  socket.onmessage = (event) => transport.received(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
  socket.onclose = (event) => transport.ended(event.code, event.reason);
  // The close event follows with the code; the error itself says no more.
  socket.onerror = () => {};
  return { transport, response };
}

function denoSocket(socket: DenoWebSocket): HostSocket {
  return {
    send: (data) => socket.send(data),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    get open() {
      return socket.readyState === OPEN;
    },
    close: (code, reason) => socket.close(code, reason),
    // Deno's WebSocket has no abort: a close without a code, which Deno's idle timeout ends.
    terminate: () => socket.close(),
  };
}
