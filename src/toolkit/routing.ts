import { HTTPException } from "../common/http-exception.ts";
import { isPromise } from "../common/is-promise.ts";
import type { RequestCounters } from "./stats.ts";
import type { Logger } from "../common/logger.ts";
import { withDeadline } from "./deadline.ts";
import { checkDeclaredLength, checkTarget, decodable, type RequestLimits } from "./limits.ts";
import { NO_PARAMS, type RoutedEntry, type SpryRequest } from "./request.ts";
import { emptyResponse, type ResponseLike } from "./response.ts";
import type { RouteTable, Sink } from "./route-table.ts";

export interface RoutingOptions {
  readonly limits: RequestLimits;
  readonly logger: Logger;
  readonly stats: RequestCounters;
  /** Redirect (307) `/a/` to `/a` or back when only the other form exists. */
  readonly redirectSlashes: boolean;
  /** The app-wide handler deadline in milliseconds; a route's own replaces it. */
  readonly timeout: number | undefined;
}

/** The innermost step as a function, and `into`, the same step for the error layers' sink. */
export interface Routing<R extends SpryRequest<any>> {
  (request: R): ResponseLike | Promise<ResponseLike>;
  /**
   * As a call, but a response that is not ready is handed to `sink` (route-table.ts,
   * EndpointInto): by the endpoint itself when it has an `into` and no deadline races it, so
   * that its response is made, checked and delivered in one continuation; else here, once
   * the endpoint's promise (raced against its deadline) settles.
   */
  into(request: R, sink: Sink<R>): ResponseLike | Promise<void> | undefined;
}

/**
 * The innermost step, from a request to its endpoint's response: the target's limits (before
 * any lookup; for a request a host routed, when its query is first read), the route looked
 * up, the declared body length checked against the limit in force, the endpoint run under its
 * deadline. A miss becomes 400 (an undecodable path), 405 with Allow, FastAPI's
 * redirect_slashes 307, or 404; every refusal is raised, so that exception handlers see it as
 * they see the endpoint's own errors.
 */
export function routing<R extends SpryRequest<any>>(table: RouteTable, options: RoutingOptions): Routing<R> {
  const { limits, logger, stats, redirectSlashes } = options;
  // The request's route, or undefined for a miss.
  const find = (request: R): RoutedEntry | undefined => {
    // A host that routed the request itself (app.bun's routes) found a route without
    // parameters; its request checks the target when its query is first read (fetch-request.ts).
    const routed = request.routed;
    let entry: RoutedEntry;
    if (routed !== undefined) {
      entry = routed;
      request.matched(NO_PARAMS, entry.info);
    } else {
      const refused = checkTarget(request.path, request.search, limits);
      if (refused !== undefined) throw refused;
      const match = table.find(request.method, request.path);
      if (match === null) return undefined;
      entry = match.entry;
      request.matched(match.params, entry.info);
    }
    const tooLarge = checkDeclaredLength(request.declaredLength(), request.bodyLimit);
    if (tooLarge !== undefined) throw tooLarge;
    return entry;
  };
  const route = (request: R): ResponseLike | Promise<ResponseLike> => {
    const entry = find(request);
    if (entry === undefined) return miss(table, request, redirectSlashes);
    const response = entry.endpoint(request);
    if (!isPromise(response)) return response;
    const timeout = entry.info.timeout ?? options.timeout;
    return timeout === undefined ? response : withDeadline(request, response, timeout, logger, stats);
  };
  const into = (request: R, sink: Sink<R>): ResponseLike | Promise<void> | undefined => {
    const entry = find(request);
    if (entry === undefined) return miss(table, request, redirectSlashes);
    const timeout = entry.info.timeout ?? options.timeout;
    if (timeout === undefined && entry.into !== undefined) return entry.into(request, sink as Sink<SpryRequest<any>>);
    const response = entry.endpoint(request);
    if (!isPromise(response)) return response;
    return sink.respond(request, timeout === undefined ? response : withDeadline(request, response, timeout, logger, stats));
  };
  return Object.assign(route, { into });
}

function miss(table: RouteTable, request: SpryRequest<any>, redirectSlashes: boolean): ResponseLike {
  const tooLarge = checkDeclaredLength(request.declaredLength(), request.bodyLimit);
  if (tooLarge !== undefined) throw tooLarge;
  const path = request.path;
  if (path.includes("%") && !decodable(path)) throw new HTTPException(400, "Invalid percent-encoding in the path");
  const allowed = table.allowedMethods(path);
  if (allowed.length > 0) throw new HTTPException(405, "Method Not Allowed", { allow: allowed.join(", ") });
  const other = redirectSlashes ? otherSlashForm(table, path) : undefined;
  if (other !== undefined) {
    // Behind a proxy that strips the root path, or below a mount, the client must be sent back
    // through it: the request's root path is the mount's when mounted, else the app's own.
    const target = request.rootPath + other;
    return emptyResponse(307, { location: request.search === "" ? target : `${target}?${request.search}` });
  }
  throw new HTTPException(404, "Not Found");
}

// FastAPI's redirect_slashes: when only the other form of the path exists, redirect to it.
// The Location is relative, and a path that would start with "//" is never offered, because
// a browser reads "//host" as another site.
function otherSlashForm(table: RouteTable, path: string): string | undefined {
  if (path === "/") return undefined;
  const other = path.endsWith("/") ? path.slice(0, -1) : `${path}/`;
  if (other.startsWith("//") || other === "") return undefined;
  return table.allowedMethods(other).length > 0 ? other : undefined;
}
