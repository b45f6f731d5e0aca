import type { IncomingMessage, ServerResponse } from "node:http";
import { BlockList, isIP } from "node:net";
import parseForwarded from "forwarded-parse";
import { setPeer } from "../common/peer.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Which peers are trusted to say who the client is: `--forwarded-allow-ips`, a comma-separated
 * list of addresses and networks (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`), or `*` for
 * every peer. Connections over a unix socket are always trusted: only processes allowed to
 * open the socket file reach it, and that is the proxy.
 */
export class TrustedPeers {
  readonly #list = new BlockList();
  readonly #everyone: boolean;

  constructor(spec: string) {
    const entries = spec.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
    this.#everyone = entries.includes("*");
    for (const entry of entries) {
      if (entry === "*") continue;
      const [address = "", prefix] = entry.split("/");
      const family = isIP(address);
      if (family === 0) throw new TypeError(`forwarded-allow-ips: ${JSON.stringify(entry)} is not an IP address or network`);
      const type = family === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) this.#list.addAddress(address, type);
      else {
        const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
        if (!(bits <= (family === 4 ? 32 : 128))) throw new TypeError(`forwarded-allow-ips: ${JSON.stringify(entry)} has a bad prefix length`);
        this.#list.addSubnet(address, bits, type);
      }
    }
  }

  /** Whether `address` (as a socket reports it; undefined over a unix socket) is trusted. */
  has(address: string | undefined): boolean {
    if (address === undefined || this.#everyone) return true;
    const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && this.#list.check(plain, family === 4 ? "ipv4" : "ipv6");
  }
}

/** What a trusted proxy said about the request it passed on. */
interface Hop {
  for?: string | undefined;
  proto?: string | undefined;
  host?: string | undefined;
}

/**
 * `--proxy-headers`: for requests from a trusted peer, the client address, scheme and host
 * come from the `Forwarded` header (RFC 7239) or, without it, from `X-Forwarded-For`,
 * `X-Forwarded-Proto` and `X-Forwarded-Host`; the request's `client`, `scheme` and `host` then
 * reflect them. From any other peer these headers are ignored: anyone can send them.
 *
 * Through a chain of proxies each appends the address it got the request from, so the list is
 * read from the right: trusted proxies are skipped, and the first address that is not one is
 * the client (as Uvicorn does). A malformed header is ignored rather than half-believed.
 */
export function proxyHeaders(listener: Listener, trusted: TrustedPeers): Listener {
  return (req, res) => {
    readProxyHeaders(req, trusted);
    listener(req, res);
  };
}

/** What proxyHeaders() does to one request, as a step for serve()'s own listener (serve.ts). */
export function readProxyHeaders(req: IncomingMessage, trusted: TrustedPeers): void {
  const headers = req.headers;
  if ((headers.forwarded !== undefined || headers["x-forwarded-for"] !== undefined || headers["x-forwarded-proto"] !== undefined || headers["x-forwarded-host"] !== undefined) && trusted.has(req.socket.remoteAddress)) {
    apply(req, headers.forwarded !== undefined ? fromForwarded(headers.forwarded, trusted) : fromXForwarded(req, trusted));
  }
}

function fromForwarded(value: string, trusted: TrustedPeers): Hop | undefined {
  let elements: Record<string, string>[];
  try {
    elements = parseForwarded(value);
  } catch {
    return undefined;
  }
  return pick(elements.map((element) => ({ for: element.for, proto: element.proto, host: element.host })), trusted);
}

function fromXForwarded(req: IncomingMessage, trusted: TrustedPeers): Hop | undefined {
  const list = (name: string) => {
    const value = req.headers[name];
    return typeof value === "string" ? value.split(",").map((item) => item.trim()) : [];
  };
  const chain = list("x-forwarded-for").map((address): Hop => ({ for: address }));
  // Proto and host describe the request as the outermost proxy got it; each proxy passes them on.
  const proto = list("x-forwarded-proto").at(-1);
  const host = list("x-forwarded-host").at(-1);
  const hop = chain.length > 0 ? pick(chain, trusted) : {};
  return hop === undefined ? undefined : { ...hop, proto, host };
}

// From the right, the first hop whose address is not a trusted proxy's; all trusted: the leftmost.
function pick(chain: Hop[], trusted: TrustedPeers): Hop | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const address = hostOf(chain[i]!.for);
    if (address === undefined || !trusted.has(address) || i === 0) return chain[i];
  }
  return chain[0];
}

/** The address of a `for` value: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`; undefined if it is none. */
function hostOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  const address = bracketed !== null ? bracketed[1]! : isIP(value) !== 0 ? value : value.replace(/:\d+$/, "");
  return isIP(address) !== 0 ? address : undefined;
}

function portOf(value: string): number {
  const port = /:(\d{1,5})$/.exec(value.startsWith("[") ? value.slice(value.indexOf("]")) : isIP(value) !== 0 ? "" : value);
  return port === null ? 0 : Number(port[1]);
}

const HOST = /^[A-Za-z0-9.\-_~!$&'()*+,;=%]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

function apply(req: IncomingMessage, hop: Hop | undefined): void {
  if (hop === undefined) return;
  const address = hostOf(hop.for);
  const proto = hop.proto?.toLowerCase();
  const scheme = proto === "https" || proto === "wss" ? "https" : proto === "http" || proto === "ws" ? "http" : undefined;
  setPeer(req, {
    client: address === undefined ? undefined : { address, port: portOf(hop.for!) },
    scheme,
  });
  if (hop.host !== undefined && HOST.test(hop.host)) req.headers.host = hop.host;
}
