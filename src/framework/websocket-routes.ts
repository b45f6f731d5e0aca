import { ServerResponse, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { HTTPException } from "../common/http-exception.ts";
import type { Dispatcher } from "../toolkit/dispatch.ts";
import { FetchRequest } from "../toolkit/fetch-request.ts";
import { toFetchResponse } from "../toolkit/fetch-writer.ts";
import { NodeRequest } from "../toolkit/node-request.ts";
import { writeNode } from "../toolkit/node-writer.ts";
import type { PathTemplate } from "../toolkit/path-template.ts";
import type { AppConfig, SpryRequest } from "../toolkit/request.ts";
import { finalize } from "../toolkit/response.ts";
import { compose, type Middleware } from "../toolkit/middleware.ts";
import { handshakePolicy } from "../toolkit/middleware/handshake.ts";
import { emptyResponse, type SpryResponse } from "../toolkit/response.ts";
import { RouteTable, type Endpoint } from "../toolkit/route-table.ts";
import { NodeUpgrades } from "../toolkit/websocket/node-upgrade.ts";
import { defaultWebSocketLimits, type Accept, type WebSocketLimits } from "../toolkit/websocket/transport.ts";
import { CloseCode, type WebSocket } from "../toolkit/websocket/websocket.ts";
import { WebSocketRequest, type Refuse } from "../toolkit/websocket/websocket-request.ts";
import { runWebSocket } from "./websocket-route.ts";

/**
 * An app's WebSocket routes, apart from its HTTP ones (a handshake is a GET, and `/ws` may be
 * both): their table, the handshakes on node:http and in process, and the open sockets, which
 * a graceful shutdown closes with 1001.
 */
export class WebSocketRoutes<Tasks> {
  readonly #table: RouteTable;
  readonly #limits = new Map<Endpoint, WebSocketLimits>();
  readonly #config: AppConfig<Tasks>;
  readonly #dispatcher: Dispatcher<Tasks>;
  readonly #upgrades = new NodeUpgrades();
  readonly #open = new Set<WebSocket>();
  // Each connection's session (its handler and the teardowns after it), until it has ended.
  readonly #sessions = new Set<Promise<void>>();
  #closing = false;
  /** The app's middleware whose policy applies to handshakes (TrustedHost), run before routing. */
  readonly #guards: Middleware<any>[] = [];
  #guard: ((request: SpryRequest<Tasks>) => Promise<SpryResponse>) | undefined;
  /** Origins the app's CORS policy trusts, let in where a route keeps the same-origin default. */
  readonly #trustedOrigins: ((origin: string) => boolean)[] = [];
  readonly defaults: WebSocketLimits;

  constructor(config: AppConfig<Tasks>, dispatcher: Dispatcher<Tasks>, defaults: Partial<WebSocketLimits> = {}) {
    this.#config = config;
    this.#dispatcher = dispatcher;
    this.#table = new RouteTable(config.limits.maxParamLength);
    this.defaults = { ...defaultWebSocketLimits, ...definedOnly(defaults) };
  }

  /** app.use(): what the middleware's policy says about handshakes, if anything. */
  use(middleware: Middleware<any>): void {
    const policy = handshakePolicy(middleware);
    if (policy?.runs === true) {
      this.#guards.push(middleware);
      this.#guard = compose(this.#guards, () => PASSED);
    }
    if (policy?.allowsOrigin !== undefined) this.#trustedOrigins.push(policy.allowsOrigin);
  }

  add(template: PathTemplate, endpoint: Endpoint, limits: Partial<WebSocketLimits>): void {
    this.#table.add("GET", template, endpoint);
    this.#limits.set(endpoint, { ...this.defaults, ...definedOnly(limits) });
  }

  /** Whether the app has any WebSocket route. */
  get any(): boolean {
    return this.#limits.size > 0;
  }

  /** The largest message any route takes: a host with one limit for every socket (Bun) is given it. */
  get largestMessageSize(): number {
    return Math.max(this.defaults.maxMessageSize, ...[...this.#limits.values()].map((limits) => limits.maxMessageSize));
  }

  /** Sockets open now. */
  get size(): number {
    return this.#open.size;
  }

  /** node:http's "upgrade" event: a WebSocket handshake, routed like a request. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Errors on a socket nobody reads any more (the client reset it) must not reach the process.
    socket.on("error", () => {});
    if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    // A refusal (404, 403, a dependency's 401) is an ordinary response written on the socket.
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.once("finish", () => socket.end());
    const inner = new NodeRequest<Tasks>(req, res, this.#config);
    const refuse: Refuse = (response) => writeNode(res, finalize(response, false));
    void this.#run(inner, refuse, (limits) => {
      const accept = this.#upgrades.accept(req, socket, head, limits);
      return (options) => {
        res.detachSocket(socket as Socket);
        return accept(options);
      };
    });
  };

  /**
   * A handshake as a Fetch Request, accepted by `acceptFor` (the TestClient's in-process pair).
   * Resolves when the session is over with the HTTP response that refused it, if one did.
   */
  async handle(request: Request, acceptFor: (limits: WebSocketLimits) => Accept): Promise<Response | undefined> {
    const inner = new FetchRequest<Tasks>(request, this.#config);
    let refusal: Response | undefined;
    await this.#run(inner, (response) => void (refusal = toFetchResponse(finalize(response, false))), acceptFor);
    return refusal;
  }

  async #run(inner: SpryRequest<Tasks>, refuse: Refuse, acceptFor: (limits: WebSocketLimits) => Accept): Promise<void> {
    // A handshake that reaches a stopping server (on a connection it accepted just before) would
    // open a socket after the others were told 1001, to be dropped at the end of the grace
    // period: refused instead, so the client retries at once, on a server that stays.
    if (this.#closing) return refuse(await this.#dispatcher.answer(inner, new HTTPException(503, "Server shutting down")));
    if (this.#guard !== undefined) {
      // A guard that answers by itself (TrustedHost's 400) refuses the handshake with that answer.
      let answer: SpryResponse;
      try {
        answer = await this.#guard(inner);
      } catch (error) {
        return refuse(await this.#dispatcher.answer(inner, error));
      }
      if (answer !== PASSED) return refuse(answer);
    }
    const match = this.#table.find("GET", inner.path);
    if (match === null) return refuse(await this.#dispatcher.answer(inner, new HTTPException(404, "Not Found")));
    const limits = this.#limits.get(match.entry.endpoint)!;
    if (!originAllowed(inner, limits.origins, this.#trustedOrigins)) return refuse(await this.#dispatcher.answer(inner, new HTTPException(403, "Origin not allowed")));
    const request = new WebSocketRequest<Tasks>(inner, acceptFor(limits), limits, refuse);
    request.matched(match.params, match.entry.info);
    const ws = request.websocket;
    this.#open.add(ws);
    void ws.closed.then(() => this.#open.delete(ws));
    const session = runWebSocket(request, match.entry.endpoint, (failed, error) => this.#dispatcher.answer(failed, error), this.#config.logger);
    this.#sessions.add(session);
    await session.finally(() => this.#sessions.delete(session));
  }

  /**
   * Closes every open socket with 1001 (going away) and waits for them to close, dropping those
   * still open after `timeout` ms: a graceful shutdown. Handshakes from then on are answered 503.
   */
  async closeAll(timeout: number): Promise<void> {
    this.#closing = true;
    const open = [...this.#open];
    if (open.length === 0) return;
    for (const ws of open) ws.close(CloseCode.goingAway, "Server shutting down");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)));
    await Promise.race([Promise.all(open.map((ws) => ws.closed)), late]);
    clearTimeout(timer);
    for (const ws of this.#open) ws.terminate();
    // The handlers see their sockets close and end (their finally, their dependencies'
    // teardowns) before the stop goes on to the app's shutdown; one that does not end soon
    // after its socket is gone is not waited for.
    timer = undefined;
    const stuck = new Promise<void>((resolve) => (timer = setTimeout(resolve, SESSION_END_MS)));
    await Promise.race([Promise.all(this.#sessions), stuck]);
    clearTimeout(timer);
  }
}

// How long a stop waits for handlers to end once every socket is closed or dropped.
const SESSION_END_MS = 1000;

// Cross-site WebSocket hijacking: a browser opens a socket to any site and sends that site's
// cookies; only the Origin header says which page asked. Clients that are not browsers send none.
function originAllowed(request: SpryRequest<any>, origins: WebSocketLimits["origins"], trusted: readonly ((origin: string) => boolean)[]): boolean {
  const origin = request.header("origin");
  if (origin === undefined || origins === "*") return true;
  if (origins === "same-origin") {
    if (trusted.some((allows) => allows(origin))) return true;
    try {
      // The Host header, or on the Fetch path without one, the authority of the request's URL.
      return new URL(origin).host === request.authority;
    } catch {
      return false;
    }
  }
  return origins.includes(origin);
}

// What the handshake guards' chain ends in when every guard let the handshake through.
const PASSED = emptyResponse(204);

function definedOnly<T extends object>(values: Partial<T>): Partial<T> {
  const defined: Partial<T> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (defined as Record<string, unknown>)[key] = value;
  return defined;
}
