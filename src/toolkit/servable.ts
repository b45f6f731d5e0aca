import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../common/logger.ts";
import type { Accept, WebSocketLimits } from "./websocket/transport.ts";

/**
 * What spry's server and its TestClient drive: anything with a node:http request listener (a
 * Spry app, a ToolkitApp), and, for the Fetch path, a Fetch handler. Declared once, here.
 */
export interface Servable {
  readonly handleNode: (req: IncomingMessage, res: ServerResponse) => void;
  /** The Fetch API entry point; TestClient's "fetch" transport needs it. */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** node:http's "upgrade" listener, for WebSocket handshakes (a Spry app's). */
  readonly handleUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Closes open WebSockets with 1001 within `timeout` ms: the first step of a graceful stop. */
  closeWebSockets?(timeout: number): Promise<void>;
  /**
   * A WebSocket handshake given as a Request, accepted by `acceptFor`: how the TestClient
   * connects in process. Resolves when the session is over, with the refusal if it was refused.
   */
  handleWebSocket?(request: Request, acceptFor: (limits: WebSocketLimits) => Accept): Promise<Response | undefined>;
  readonly config?: { readonly logger: Logger };
  /** Run before the server listens (a Spry app's lifespan); a failure stops serve(). */
  startup?(): Promise<void>;
  /**
   * Run once the server has closed. `signal` aborts when the grace period ends or a second
   * signal forces the stop: long waits (background tasks) should give up then, as serve() does.
   */
  shutdown?(options?: { signal: AbortSignal }): Promise<void>;
}
