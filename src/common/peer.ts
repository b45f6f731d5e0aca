/**
 * Who sent a request, as the server established it: with `--proxy-headers`, what a trusted
 * proxy said about the client (server/proxy-headers.ts). The server sets it on the node:http
 * request before the app sees it; the app's request object reads it in place of the socket's
 * own address and scheme. A WeakMap, so that a request without a proxy costs nothing.
 */
export interface Peer {
  /** The client's address and port; port 0 when the proxy did not say. */
  readonly client?: { readonly address: string; readonly port: number } | undefined;
  readonly scheme?: "http" | "https" | undefined;
}

const peers = new WeakMap<object, Peer>();
// Until a proxy is first heard, no lookup: a WeakMap's is paid by every line of the access log.
let anyPeer = false;

export function setPeer(req: object, peer: Peer): void {
  anyPeer = true;
  peers.set(req, peer);
}

/** What the server established about this request's client, if it was forwarded by a trusted proxy. */
export function peerOf(req: object): Peer | undefined {
  return anyPeer ? peers.get(req) : undefined;
}
