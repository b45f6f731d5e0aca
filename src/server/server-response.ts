import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { requestFacts } from "../common/request-facts.ts";
import { WATCHER } from "../toolkit/node-request.ts";

const ID = "x-request-id";
const ID_IN_HEAD = Symbol("spry.idInHead");

type Head = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * The ServerResponse class of spry's node:http server (HTTP/1.x, plain or over TLS): what the
 * server adds to every response is done in node:http's own steps rather than around them,
 * which the profiles of `/fast_task/` (bench/HISTORY.md, "Where the microseconds go") priced at
 * about a tenth of its CPU:
 *
 * - The request's id (server/access-log.ts) goes into the head as it is written. Set with
 *   setHeader before the route ran, it sent every writeHead down node:http's merging path (a
 *   setHeader and its checks per header, then the merged list); toolkit/node-writer.ts puts it
 *   in the header object it hands writeHead instead, and for any other write (a refusal, a 503,
 *   a stream's implicit head) it is added here, unless the response names an id of its own.
 * - `finished` is called with the connection (server/shutdown.ts marks it idle) when node:http
 *   detaches the finished response from its socket, instead of from a "finish" listener added
 *   to every response; and so is the access line's writer (server/access-log.ts), which a
 *   response cut off by its connection's end hears of from responseCutOff() instead.
 *
 * One class deriving from node's directly: each level of subclassing is paid again in every
 * response's construction.
 */
export function serverResponse(finished: (socket: Socket, now: number) => void): typeof ServerResponse {
  class SpryServerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    // Declared here, at construction, rather than added to a response whose request waits.
    [WATCHER]: unknown = undefined;

    override writeHead(statusCode: number, reason?: string | Head, headers?: Head): this {
      const id = requestFacts(this.req)?.requestId;
      // The list first: node-writer.ts puts the id there, and hasHeader's checks cost more.
      if (id !== undefined && !names(typeof reason === "string" ? headers : (reason ?? headers), ID) && !this.hasHeader(ID)) this.setHeader(ID, id);
      return super.writeHead(statusCode, reason as string, headers);
    }

    override detachSocket(socket: Socket): void {
      super.detachSocket(socket);
      // One reading of the clock for both: when the connection went idle, and the line's duration.
      const now = performance.now();
      finished(socket, now);
      (requestFacts(this.req) as Partial<DoneHook> | undefined)?.responseDone?.(this, socket, false, now);
    }
  }
  (SpryServerResponse.prototype as unknown as Record<symbol, boolean>)[ID_IN_HEAD] = true;
  return SpryServerResponse;
}

/** What a request's facts may carry to hear that its response is done (server/access-log.ts). */
interface DoneHook {
  responseDone(res: ServerResponse, socket: Socket, aborted: boolean, now?: number): void;
}

/**
 * The connection of `res` closed before node:http was done with it (the client left, or the
 * server cut it off): called by server/shutdown.ts, which listens to every connection's end
 * anyway. Only for spry's own responses, whose end is otherwise reported by detachSocket.
 */
export function responseCutOff(res: ServerResponse, socket: Socket): void {
  if (writesIdInHead(res)) (requestFacts(res.req) as Partial<DoneHook> | undefined)?.responseDone?.(res, socket, true);
}

/** Whether `res` writes its request's id into its head itself: else the id must be set on it. */
export function writesIdInHead(res: ServerResponse): boolean {
  return (res as unknown as Record<symbol, boolean | undefined>)[ID_IN_HEAD] === true;
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
