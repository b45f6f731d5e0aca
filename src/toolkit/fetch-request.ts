import { Readable } from "node:stream";
import { checkTarget } from "./limits.ts";
import { bodyTooLarge, decodedBody, emptyBody, readAll } from "./request-body.ts";
import { SpryRequest, type AppConfig, type Client } from "./request.ts";
import { rootPathOf } from "./root-path.ts";
import { callDone, type WhenDone } from "./scope.ts";
import type { RouteEntry } from "./route-table.ts";
import { NextTurn } from "./next-turn.ts";

// Requests whose signal was read in this turn of the event loop, whose clients are watched
// from the next (see watchClient).
let waiting: NextTurn<FetchRequest<any>>;

/**
 * A request from the Fetch API, for any runtime or host that speaks it (Bun, Deno,
 * serverless): headers and body read from the Request. fetch-writer.ts makes the Response.
 */
export class FetchRequest<Tasks = unknown> extends SpryRequest<Tasks> {
  readonly request: Request;
  /** Whether the host writes a text or byte body's length itself (Bun.serve). Given by dispatch. @internal */
  readonly hostWritesLength: boolean;
  /** The Response handed back, once dispatch has made it. @internal */
  response: Response | undefined = undefined;
  #done: WhenDone | undefined;
  #handedBack = false;

  /**
   * Given `routed`, the route a host's own router found for the request (app.bun's routes: a
   * path without parameters), the path is that route's, and the URL is read only if something
   * reads the query (deferredSearch).
   */
  constructor(request: Request, config: AppConfig<Tasks>, routed?: RouteEntry, hostWritesLength = false) {
    if (routed === undefined) super(request.method, targetOf(request.url), config);
    else super(request.method, routed.template.path, config, null);
    this.request = request;
    this.routed = routed;
    this.hostWritesLength = hostWritesLength;
  }

  // On a routed path the URL is read only for its query: on Bun the first read of `url` builds
  // the string, about 1,700 instructions, 7% of a minimal Bun.serve route (bench/apps/bun-bare.mjs,
  // BARE_READ=url), and a route that reads no query (no query input, dependency or code of
  // its own reading it) never needs it. The query's limits are checked here, on that first
  // read, rather than by routing; what no one reads is bounded by the host's head limit alone
  // (Bun's 16 KiB: 431). docs/reliability.md rows 14 and 15.
  protected override deferredSearch(): string {
    const search = searchOf(this.request.url);
    const refused = checkTarget(this.path, search, this.config.limits);
    if (refused !== undefined) throw refused;
    return search;
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }

  headerNames(): string[] {
    return [...this.request.headers.keys()];
  }

  headerValues(name: string): string[] {
    if (name === "set-cookie") return this.request.headers.getSetCookie();
    const value = this.request.headers.get(name);
    return value === null ? [] : value.split(/\s*,\s*/);
  }

  get headers(): Headers {
    return this.request.headers;
  }

  // The Fetch API does not carry the peer's address; hosts that know it pass it in their own way.
  get client(): Client | undefined {
    return undefined;
  }

  get scheme(): "http" | "https" {
    return this.request.url.startsWith("https:") ? "https" : "http";
  }

  get authority(): string | undefined {
    return this.header("host") ?? new URL(this.request.url).host;
  }

  protected fullUrl(): URL {
    return new URL(this.request.url);
  }

  // The host's request.signal fires when its client leaves; spry's own signal follows it, so
  // that a deadline can abort it too and the reason is the same on both paths.
  protected watchClient(): void {
    // The host's signal is first looked at on the next turn of the event loop, when one shared
    // immediate checks it and adds the listener for every request still unanswered: a host
    // tells of a client leaving only from the event loop, and a request answered in the turn it
    // arrived (a handler that reads `signal` and awaits nothing slow) never pays for the listener,
    // which on Bun was a tenth of `/slow_task/`'s samples, nor for Bun's `request.signal`, which
    // Bun makes on first read (5%). A client gone before its request was dispatched is told on
    // that next turn too: only code reading `signal.aborted` before its first await misses it,
    // and that request's response reaches no one either way.
    waiting.add(this);
  }

  // Called on the turn after the signal was read, unless the response was handed back by then.
  // Static: a private instance method gives every instance a slot more (its brand).
  static #listen(request: FetchRequest): void {
    const signal = request.request.signal;
    if (signal.aborted) return request.clientLeft();
    // Some hosts abort the request's signal once the response is delivered; that is no client leaving.
    signal.addEventListener("abort", () => request.#handedBack || request.clientLeft(), { once: true });
  }

  static {
    waiting = new NextTurn((request) => {
      if (!request.#handedBack) FetchRequest.#listen(request);
    });
  }

  // A Fetch host gives no signal when the body has been delivered; dispatch calls handedBack()
  // once the Response is returned, the last moment spry controls.
  whenDone(done: WhenDone): void {
    this.#done = done;
  }

  /** Called by dispatch when the response has been handed to the host. */
  handedBack(): void {
    this.#handedBack = true;
    const done = this.#done;
    this.#done = undefined;
    if (done !== undefined) callDone(done);
  }

  override get rootPath(): string {
    return rootPathOf(this.request) || super.rootPath;
  }

  // A Request without a body has nothing to refuse, whatever it declares (Bun, for one, gives a
  // GET no body even with a Content-Length). Asking the Request's body first spares reading
  // its headers: on Bun the first `headers` read copies every header into a Headers object,
  // a quarter of a minimal Bun.serve handler's CPU (bench/HISTORY.md, "Bun fast"). A GET or
  // HEAD has no body at all (the Fetch standard refuses one; Bun's and Deno's servers give
  // none, whatever the client sent), which spares the read of `body` too, about 80 ns on Bun.
  override declaredLength(): string | undefined {
    const method = this.method;
    if (method === "GET" || method === "HEAD") return undefined;
    return this.request.body === null ? undefined : this.header("content-length");
  }

  // The declared length was checked by routing, before the endpoint ran (limits.ts).
  protected async readBody(): Promise<Uint8Array> {
    const limit = this.bodyLimit;
    const encoding = this.request.headers.get("content-encoding");
    if (encoding !== null && encoding !== "identity") return readAll(this.bodyStream());
    const stream = this.request.body;
    if (stream === null) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw bodyTooLarge(limit);
      }
      chunks.push(value);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }

  bodyStream(): Readable {
    const stream = this.request.body;
    const source = stream === null ? emptyBody() : Readable.fromWeb(stream as import("node:stream/web").ReadableStream);
    const signal = this.request.signal;
    return decodedBody(source, this.request.headers.get("content-encoding") ?? undefined, this.bodyLimit, () => signal.aborted);
  }
}

// The query of an absolute URL: after its first "?", which neither the authority nor the path holds.
function searchOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

function targetOf(url: string): string {
  // Request.url is absolute; the routing target is what follows the authority.
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}
