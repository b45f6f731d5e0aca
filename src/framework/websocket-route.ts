import type { Context } from "../toolkit/context.ts";
import { HTTPException } from "../common/http-exception.ts";
import type { Logger } from "../common/logger.ts";
import type { Endpoint } from "../toolkit/route-table.ts";
import type { WebSocketLimits } from "../toolkit/websocket/transport.ts";
import { CloseCode, WebSocketDisconnect, type WebSocket } from "../toolkit/websocket/websocket.ts";
import { WebSocketContext } from "../toolkit/websocket/websocket-context.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import type { DependencyOverrides } from "./dependencies/overrides.ts";
import { compileEndpoint, type RouteParts } from "./endpoint.ts";
import type { Inputs } from "./dependencies/dependency.ts";
import type { InferInputs } from "./types.ts";
import { RequestValidationError } from "./validation-error.ts";

/** A WebSocket route's handler: its declared inputs, the socket, and the handshake's context. */
export type WebSocketHandler<P extends string, I extends Inputs> = (inputs: InferInputs<P, I>, ws: WebSocket, ctx: Context) => unknown;

/** Options of one WebSocket route: its dependencies and any limit over the app's. */
export interface WebSocketRouteOptions extends Partial<WebSocketLimits> {
  /** Dependencies run for their effects (an auth check) before the handler, after the router's and the app's. */
  dependencies?: Dependency<unknown>[];
}

/** Registers a WebSocket route; declared inputs are read from the handshake request. */
export interface WebSocketMethod<Self> {
  <const P extends string>(path: P, handler: WebSocketHandler<P, {}>, options?: WebSocketRouteOptions): Self;
  <const P extends string, const I extends Inputs>(path: P, inputs: I, handler: WebSocketHandler<P, I>, options?: WebSocketRouteOptions): Self;
}

/**
 * Compiles a WebSocket route onto the same pipeline as an HTTP route (inputs read and validated,
 * dependencies solved), with the session itself in the handler's place: the route's function-scoped
 * teardowns run when the handler returns, its request-scoped ones when the socket has closed.
 */
export function compileWebSocketEndpoint(parts: RouteParts, overrides: DependencyOverrides, logger: Logger): Endpoint {
  const handler = parts.handler as unknown as (inputs: unknown, ws: WebSocket, ctx: Context) => unknown;
  const session = async (inputs: unknown, ctx: Context) => {
    const ws = (ctx as WebSocketContext).websocket;
    let failure: unknown;
    try {
      await handler(inputs, ws, ctx);
    } catch (error) {
      if (!(error instanceof WebSocketDisconnect)) {
        failure = error;
        logger.error({ err: error, route: ctx.routeName }, "Unhandled error in a WebSocket handler");
      }
    }
    ws.finish(failure);
  };
  return compileEndpoint({ ...parts, handler: session }, overrides, () => {});
}

/**
 * Runs one handshake through a compiled WebSocket endpoint. Failures before the socket is
 * accepted answer the handshake: invalid inputs are accepted and closed with 1008 and the
 * errors (FastAPI's answer), an HTTPException (a dependency's 401, say) is its HTTP response;
 * anything else after accept closes with 1011.
 */
export async function runWebSocket(ctx: WebSocketContext, endpoint: Endpoint, logger: Logger): Promise<void> {
  try {
    await endpoint(ctx);
  } catch (error) {
    await answerFailure(ctx, error, logger);
  } finally {
    ctx.settle();
  }
}

async function answerFailure(ctx: WebSocketContext, error: unknown, logger: Logger): Promise<void> {
  const ws = ctx.websocket;
  if (error instanceof RequestValidationError) return closeInvalid(ws, error);
  if (!ctx.accepted && ws.state === "connecting" && error instanceof HTTPException) {
    ctx.sendJson(error.status, { detail: error.detail }, error.headers);
    ws.finish(undefined);
    return;
  }
  if (!(error instanceof WebSocketDisconnect)) logger.error({ err: error, route: ctx.routeName }, "Unhandled error in a WebSocket route");
  ws.finish(error);
}

// The errors go in the close reason when they fit its 123 bytes; otherwise as a first message,
// with a short reason, so a client always gets them whole.
async function closeInvalid(ws: WebSocket, error: RequestValidationError): Promise<void> {
  const detail = JSON.stringify({ detail: error.errors });
  try {
    if (ws.state === "connecting") await ws.accept();
    if (Buffer.byteLength(detail) <= 123) return ws.close(CloseCode.policyViolation, detail);
    await ws.send(detail);
    ws.close(CloseCode.policyViolation, "Request validation failed");
  } catch {
    // The client left first: nothing to tell.
  }
}
