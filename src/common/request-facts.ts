/**
 * What the server and the app learn about one node:http request and share for its logs: the
 * server gives it an id (server/access-log.ts), the app notes the route it matched. Kept in a
 * WeakMap keyed by the request, so that neither layer imports the other and a request whose
 * server keeps no facts costs one failed lookup.
 */
export interface RequestFacts {
  /** From a trusted client's X-Request-ID, else generated; echoed in the response's X-Request-ID. */
  readonly requestId: string;
  /** The matched route's template (`/items/{item_id}`), once the app has routed the request. */
  route?: string | undefined;
}

const facts = new WeakMap<object, RequestFacts>();

export function setRequestFacts(req: object, value: RequestFacts): void {
  facts.set(req, value);
}

export function requestFacts(req: object): RequestFacts | undefined {
  return facts.get(req);
}
