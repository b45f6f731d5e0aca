import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from "node:http";
import { requestFacts } from "../common/request-facts.ts";

const ID = "x-request-id";

type Head = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * The ServerResponse of spry's node:http server (HTTP/1.x, plain or over TLS): what the server
 * adds to every response is done in node:http's own steps rather than around them, which the
 * profiles of `/fast_task/` (bench/README.md, "Where the microseconds go") priced at about a
 * tenth of its CPU. The request's id (server/access-log.ts) goes into the head as it is
 * written: set with setHeader before the route ran, it sent every writeHead down node:http's
 * merging path (a setHeader and its checks per header, then the merged list).
 * toolkit/node-writer.ts puts it in the header object it hands writeHead instead, and for any
 * other write (a refusal, a 503, a stream's implicit head) it is added here, unless the
 * response names an id of its own.
 */
export class IdResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override writeHead(statusCode: number, reason?: string | Head, headers?: Head): this {
    const id = requestFacts(this.req)?.requestId;
    if (id !== undefined && !this.hasHeader(ID) && !names(typeof reason === "string" ? headers : (reason ?? headers), ID)) this.setHeader(ID, id);
    return super.writeHead(statusCode, reason as string, headers);
  }
}

function names(headers: Head | undefined, name: string): boolean {
  if (headers === undefined) return false;
  if (!Array.isArray(headers)) return headers[name] !== undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const key = headers[i];
    if (typeof key === "string" && key.toLowerCase() === name) return true;
  }
  return false;
}
