/**
 * What the server and the app learn about one node:http request and share for its logs: the
 * server gives it an id (server/access-log.ts), the app notes the route it matched. Kept on the
 * request under a symbol of this module's, so that neither layer imports the other and a
 * request whose server keeps no facts costs one missed property read. (A WeakMap, the first
 * design, cost about 3% of a small route's CPU time in its set and the collector's work.)
 */
export interface RequestFacts {
  /** From a trusted client's X-Request-ID, else generated; echoed in the response's X-Request-ID. */
  readonly requestId: string;
  /** The matched route's template (`/items/{item_id}`), once the app has routed the request. */
  route?: string | undefined;
}

const FACTS = Symbol("spry.requestFacts");

type Carrier = { [FACTS]?: RequestFacts };

export function setRequestFacts(req: object, value: RequestFacts): void {
  (req as Carrier)[FACTS] = value;
}

export function requestFacts(req: object): RequestFacts | undefined {
  return (req as Carrier)[FACTS];
}
