import type { Context } from "../context.ts";
import { FetchContext } from "../fetch-context.ts";
import { NodeContext } from "../node-context.ts";

/** A Host header that parsed: the name in lower case (an IPv6 address keeps its brackets). */
export interface Host {
  readonly name: string;
  readonly port: string | undefined;
}

// A registered name (letters, digits, "-", "." and the "_" of container names), an IPv4
// address, or an IPv6 one in brackets, then an optional port. Anything else, CR and LF
// included, is not a host, so nothing taken from it can reach a response header.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/;

export function parseHost(value: string | undefined): Host | undefined {
  const match = value === undefined ? null : HOST.exec(value);
  if (match === null) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] };
}

/** The Host header; on the Fetch path without one, the authority of the request's URL. */
export function requestHost(ctx: Context): string | undefined {
  const header = ctx.header("host");
  if (header !== undefined || !(ctx instanceof FetchContext)) return header;
  return new URL(ctx.request.url).host;
}

/** The scheme the request arrived with at this server: TLS on node's socket, or the URL's. */
export function requestScheme(ctx: Context): "http" | "https" {
  if (ctx instanceof NodeContext) return "encrypted" in ctx.req.socket && ctx.req.socket.encrypted === true ? "https" : "http";
  if (ctx instanceof FetchContext) return ctx.request.url.startsWith("https:") ? "https" : "http";
  return "http";
}

/**
 * The path and query to put after a redirect's authority, or undefined when the request
 * target is not a path (`*`, or an absolute URL), which could otherwise run on into the
 * authority (`https://site` + `@evil.example`). It is the target as sent, still
 * percent-encoded: node's parser refuses raw spaces, control bytes and non-ASCII in it, and
 * a Request's URL is always encoded, so it cannot carry CR or LF into the Location.
 */
export function redirectTarget(ctx: Context): string | undefined {
  if (!ctx.path.startsWith("/")) return undefined;
  return ctx.search === "" ? ctx.path : `${ctx.path}?${ctx.search}`;
}
