import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { decodedBody, readAll, bodyTooLarge } from "./request-body.ts";
import { peerOf } from "../common/peer.ts";
import { requestFacts } from "../common/request-facts.ts";
import { SpryRequest, type AppConfig, type Client, type RouteInfo } from "./request.ts";
import { callDone, type WhenDone } from "./scope.ts";
import { ClientDisconnected } from "./signals.ts";
import { NextTurn } from "./next-turn.ts";

/**
 * The request a response's "close" is for, kept on the response. A server that makes its own
 * responses (server/server-response.ts) declares it at construction: a property added to a
 * response after node made it is a property array of its own (40 B of each parked request, heap
 * snapshots of 5,000 parked `/slow_task/` requests). @internal
 */
export const WATCHER: unique symbol = Symbol("spry.watcher");
type Watched = ServerResponse & { [WATCHER]?: NodeRequest<any> | undefined; [REPORTS_END]?: boolean };

/**
 * Set (on its prototype) by a response class that says itself when node:http is done with it,
 * by calling responseEnded(): server/server-response.ts's, as node:http detaches it from its
 * socket (finished) and as its connection closes under it (cut off). A request waiting for such
 * a response to be done adds no "close" listener to it (one listener and its removal a request
 * with background tasks, bench/http-callgrind.mjs --workload tasks). @internal
 */
export const REPORTS_END: unique symbol = Symbol("spry.reportsEnd");

/** Called by a response class with REPORTS_END: node:http is done with `res`. @internal */
export function responseEnded(res: ServerResponse): void {
  (res as Watched)[WATCHER]?.responseEnded();
}

// What a request watches its response for (NodeRequest's #watching): whether the "close"
// listener is on it, and whether a client leaving aborts the request's signal.
const LISTENING = 1;
const LEAVE = 2;

// One "close" listener shared by every response (a response closes once), for both things a
// request may wait for: no closure and no once() wrapper per request. WATCHER holds the request
// itself, not a callback: no closure kept per request that waits holding its signal.
let closed: (this: Watched) => void;

// Requests whose signal was read in this turn of the event loop, whose clients are watched
// from the next (see watchClient).
let waiting: NextTurn<NodeRequest<any>>;

/**
 * A request from node:http: headers and body read from IncomingMessage. The ServerResponse is
 * kept only to notice a client leaving and the response being done; node-writer.ts writes it.
 */
export class NodeRequest<Tasks = unknown> extends SpryRequest<Tasks> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  // What the response's "close" tells: the client's leaving (once the signal was read), the
  // response being done (whenDone). LISTENING and LEAVE.
  #watching = 0;
  #done: WhenDone | undefined = undefined;

  constructor(req: IncomingMessage, res: ServerResponse, config: AppConfig<Tasks>) {
    super(req.method ?? "GET", req.url ?? "/", config);
    this.req = req;
    this.res = res;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  headerNames(): string[] {
    return Object.keys(this.req.headers);
  }

  // Read from rawHeaders rather than req.headersDistinct, which simulated requests (the test
  // client's) lack; node builds headersDistinct from the same list.
  headerValues(name: string): string[] {
    const raw = this.req.rawHeaders;
    const values: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!);
    }
    return values;
  }

  get headers(): Headers {
    const seldom = this.seldom;
    if (seldom.headers !== undefined) return seldom.headers;
    const headers = new Headers();
    const raw = this.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    return (seldom.headers = headers);
  }

  // What the server's proxy-headers step established (server/proxy-headers.ts) comes first;
  // without a trusted proxy, the socket says.
  get client(): Client | undefined {
    const forwarded = peerOf(this.req)?.client;
    if (forwarded !== undefined) return forwarded;
    const socket = this.req.socket;
    return socket.remoteAddress === undefined ? undefined : { address: socket.remoteAddress, port: socket.remotePort ?? 0 };
  }

  get scheme(): "http" | "https" {
    const forwarded = peerOf(this.req)?.scheme;
    if (forwarded !== undefined) return forwarded;
    const socket = this.req.socket;
    return "encrypted" in socket && socket.encrypted === true ? "https" : "http";
  }

  override get requestId(): string | undefined {
    return requestFacts(this.req)?.requestId;
  }

  // The server's access log names the matched route's template.
  override matched(params: Record<string, string | undefined>, route: RouteInfo): void {
    super.matched(params, route);
    const facts = requestFacts(this.req);
    if (facts !== undefined) facts.route = route.path;
  }

  get authority(): string | undefined {
    return this.header("host");
  }

  protected fullUrl(): URL {
    return new URL(`${this.scheme}://${this.authority ?? "localhost"}${this.path.startsWith("/") ? "" : "/"}${this.path}${this.search === "" ? "" : `?${this.search}`}`);
  }

  // Tied to the response, not the request: `req` emits "close" as soon as the body has been
  // read, which is not the client leaving (the bug Fastify's request.signal had).
  // The listener is added on the next turn of the event loop, by one immediate shared by every
  // request whose signal was read in this one, and only to a response not yet ended: a request
  // answered in the turn it arrived (a handler that takes `signal` and awaits nothing slow, as
  // the seed app's /slow_task/ with no delay) pays for no listener and none of the symbol keys
  // on its response, which were about a thousand instructions of such a request (callgrind,
  // bench/http-callgrind.mjs). A client that left meanwhile is found then by the same checks as
  // here; only code reading `signal.aborted` before its first await misses that, and that
  // request's response reaches no one either way. fetch-request.ts waits the same way.
  protected watchClient(): void {
    const res = this.res;
    if (res.writableEnded) return;
    if (res.destroyed || this.req.socket.destroyed) return this.clientLeft();
    waiting.add(this);
  }

  // Static, as #watch: a private instance method gives every instance a slot more (its brand).
  static #listen(request: NodeRequest<any>): void {
    const res = request.res;
    if (res.writableEnded) return;
    if (res.destroyed || request.req.socket.destroyed) return request.clientLeft();
    NodeRequest.#watch(request, true);
    request.#watching |= LEAVE;
  }

  // Only a client's leaving needs the listener on a response that reports its own end.
  static #watch(request: NodeRequest<any>, leave: boolean): void {
    const res = request.res as Watched;
    res[WATCHER] = request;
    if ((request.#watching & LISTENING) !== 0 || (!leave && res[REPORTS_END] === true)) return;
    res.on("close", closed);
    request.#watching |= LISTENING;
  }

  /** The response is done: what whenDone was given is called, once. @internal */
  responseEnded(): void {
    const done = this.#done;
    this.#done = undefined;
    if (done !== undefined) callDone(done);
  }

  static {
    waiting = new NextTurn((request) => NodeRequest.#listen(request));
    // A response that closed before it was finished: its client left; either way, it is done.
    closed = function (this: Watched): void {
      const request = this[WATCHER];
      if (request === undefined) return;
      if ((request.#watching & LEAVE) !== 0 && !this.writableEnded) request.abort(new ClientDisconnected());
      request.responseEnded();
    };
  }

  whenDone(done: WhenDone): void {
    // "close" comes after the last byte was handed to the socket, or when the client left; a
    // response that reports its end has reported it once every byte has been handed over.
    const res = this.res as Watched;
    if (res.closed || (res[REPORTS_END] === true && res.writableFinished)) return queueMicrotask(() => callDone(done));
    // Called once per request (scope.ts); a second caller is chained after the first.
    NodeRequest.#watch(this, false);
    const first = this.#done;
    this.#done = first === undefined ? done : () => (callDone(first), callDone(done));
  }

  // The declared length was checked by dispatch, before routing went on (limits.ts).
  protected readBody(): Promise<Uint8Array> {
    const encoding = this.req.headers["content-encoding"];
    // Plain bodies, the common case, skip the stream pipeline.
    if (encoding === undefined || encoding === "identity") return readStream(this.req, this.bodyLimit);
    try {
      return readAll(this.bodyStream());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  bodyStream(): Readable {
    const req = this.req;
    return decodedBody(req, req.headers["content-encoding"], this.bodyLimit, () => !req.complete);
  }
}

function readStream(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  // Its "error" has already been emitted, and would never reach the listeners below.
  if (req.destroyed && !req.complete) return Promise.reject(new ClientDisconnected());
  // Already consumed by bodyStream() (a multipart form): its "end" will not come again.
  if (req.readableEnded) return Promise.reject(new Error("The request body was already read as a stream"));
  return new Promise((resolve, reject) => {
    // A body that comes in one chunk, as a small one does, is that chunk: the list is made at
    // the second. (`[]` grows its store to 17 slots at the first push: about 90 B a request of
    // bench/apps/spry-model.ts's, with the closure that detached the listeners, which is
    // detach() now; alloc-sites.mjs --app spry-model.ts.)
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        detach(req, onData, onEnd, onError);
        req.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      if (first === undefined) first = chunk;
      else (rest ??= [first]).push(chunk);
    };
    const onEnd = () => {
      detach(req, onData, onEnd, onError);
      resolve(rest !== undefined ? Buffer.concat(rest, size) : (first ?? Buffer.alloc(0)));
    };
    const onError = (error: Error) => {
      detach(req, onData, onEnd, onError);
      // node:http fails an unfinished body with "aborted" when its connection closes: the client
      // left, or the server refused the rest (a malformed chunk, the request timeout) and has
      // already answered. Either way nobody is left to answer, and the app did nothing wrong.
      reject(req.complete ? error : new ClientDisconnected());
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function detach(req: IncomingMessage, onData: (chunk: Buffer) => void, onEnd: () => void, onError: (error: Error) => void): void {
  req.off("data", onData);
  req.off("end", onEnd);
  req.off("error", onError);
}
