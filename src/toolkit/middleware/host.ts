import type { SpryRequest } from "../request.ts";

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

/**
 * The path and query to put after a redirect's authority, or undefined when the request
 * target is not a path (`*`, or an absolute URL), which could otherwise run on into the
 * authority (`https://site` + `@evil.example`). It is the target as sent, still
 * percent-encoded: node's parser refuses raw spaces, control bytes and non-ASCII in it, and
 * a Request's URL is always encoded, so it cannot carry CR or LF into the Location.
 */
export function redirectTarget(request: SpryRequest): string | undefined {
  if (!request.path.startsWith("/")) return undefined;
  return request.search === "" ? request.path : `${request.path}?${request.search}`;
}
