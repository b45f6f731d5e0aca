import type { Middleware } from "../middleware.ts";

/**
 * What a built-in middleware's policy means for WebSocket handshakes, which do not go through
 * the middleware chain (most middleware, compression or a response header, has nothing to say
 * to a socket). As in Starlette: the Host check applies to a handshake as to a request, and
 * CORS does not (browsers do not ask it for sockets), but its allowed origins are the pages
 * the app trusts, so they may open its sockets too.
 */
export interface HandshakePolicy {
  /** Run on every handshake before routing, as on a request: answering refuses the handshake. */
  readonly runs?: true;
  /** Origins this policy lets open sockets whose route keeps the "same-origin" default. */
  readonly allowsOrigin?: (origin: string) => boolean;
}

const POLICY = Symbol("spry.handshakePolicy");

type WithPolicy = Middleware & { [POLICY]?: HandshakePolicy };

/** Marks `middleware` with what it does on WebSocket handshakes. */
export function withHandshakePolicy(middleware: Middleware, policy: HandshakePolicy): Middleware {
  return Object.assign(middleware, { [POLICY]: policy });
}

/** What `middleware` does on WebSocket handshakes, if it is one of the middleware that says. */
export function handshakePolicy(middleware: Middleware): HandshakePolicy | undefined {
  return (middleware as WithPolicy)[POLICY];
}
