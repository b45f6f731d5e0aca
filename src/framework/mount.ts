import { Readable } from "node:stream";
import { FetchRequest } from "../toolkit/fetch-request.ts";
import { StaticFiles } from "../toolkit/files/static-files.ts";
import { NodeRequest } from "../toolkit/node-request.ts";
import type { SpryRequest } from "../toolkit/request.ts";
import { withRootPath } from "../toolkit/root-path.ts";
import type { Endpoint } from "../toolkit/route-table.ts";

/** A Fetch API handler: a function, or an object with `fetch` (another Spry app, a Hono app, ...). */
export type FetchHandler = ((request: Request) => Response | Promise<Response>) | { fetch(request: Request): Response | Promise<Response> };

/** What `app.mount()` takes: static files, another spry app, or any Fetch handler. */
export type Mountable = StaticFiles | FetchHandler;

/** A mount prefix as routes use it: "/static" stays, "/" becomes "". */
export function mountPrefix(path: string): string {
  if (path === "/") return "";
  if (!path.startsWith("/") || path.endsWith("/") || /[{}*]/.test(path)) {
    throw new Error(`A mount path must start with "/", not end with "/" and hold no parameters: ${JSON.stringify(path)}`);
  }
  return path;
}

/**
 * The endpoint that hands every request under `prefix` to `target`, with the rest of the path
 * (still percent-encoded) and the root path grown by the prefix.
 */
export function mountEndpoint(prefix: string, target: Mountable, appRootPath = ""): Endpoint {
  // Below a mount, the mount's root; else the app's own (behind a proxy, --root-path).
  const rootOf = (ctx: SpryRequest) => (ctx.rootPath || appRootPath) + prefix;
  if (target instanceof StaticFiles) return (ctx) => target.respond(ctx, ctx.path.slice(prefix.length), rootOf(ctx));
  const handle = typeof target === "function" ? target : (request: Request) => target.fetch(request);
  return (ctx) => handle(withRootPath(subRequest(ctx, ctx.path.slice(prefix.length) || "/"), rootOf(ctx)));
}

// The mounted app gets a Fetch Request whatever the transport: it is the one interface every
// kind of app speaks. Its signal is this request's, so the app below sees the client leave.
function subRequest(ctx: SpryRequest, path: string): Request {
  const url = `${origin(ctx)}${path}${ctx.search === "" ? "" : `?${ctx.search}`}`;
  const hasBody = ctx.method !== "GET" && ctx.method !== "HEAD";
  if (ctx instanceof FetchRequest) {
    const original = ctx.request;
    return new Request(url, { method: ctx.method, headers: original.headers, body: hasBody ? original.body : null, signal: ctx.signal, duplex: "half" } as RequestInit);
  }
  const req = (ctx as NodeRequest).req;
  const headers = ctx.headers;
  const body = hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
  return new Request(url, { method: ctx.method, headers, body, signal: ctx.signal, duplex: "half" } as RequestInit);
}

// The scheme and host the client used (a trusted proxy's, on node:http), so that the app below
// builds its links (ctx.urlFor) as the one above does.
function origin(ctx: SpryRequest): string {
  if (ctx instanceof FetchRequest) return new URL(ctx.request.url).origin;
  const host = ctx.authority;
  if (host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) return `${ctx.scheme}://${host}`;
  return `${ctx.scheme}://localhost`;
}
