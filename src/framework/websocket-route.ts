import type { Context } from "./context.ts";
import type { Logger } from "../common/logger.ts";
import type { Endpoint } from "../toolkit/route-table.ts";
import type { WebSocketLimits } from "../toolkit/websocket/transport.ts";
import { CloseCode, WebSocketDisconnect, type WebSocket } from "../toolkit/websocket/websocket.ts";
import type { WebSocketRequest } from "../toolkit/websocket/websocket-request.ts";
import { emptyResponse, type ResponseLike } from "../toolkit/response.ts";
import { requestFields } from "../toolkit/request.ts";
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
    const ws = (ctx as WebSocketRequest<unknown>).websocket;
    let failure: unknown;
    try {
      await handler(inputs, ws, ctx);
    } catch (error) {
      if (!(error instanceof WebSocketDisconnect)) {
        failure = error;
        logger.error({ err: error, route: ctx.routeName, ...requestFields(ctx) }, "Unhandled error in a WebSocket handler");
      }
    }
    ws.handlerEnded(failure);
  };
  return compileEndpoint({ ...parts, handler: session }, overrides, () => SESSION_OVER);
}

// What a WebSocket endpoint returns once its session is over: never written (the socket was
// accepted, or refused through WebSocketRequest.refuse).
const SESSION_OVER: ResponseLike = emptyResponse(101);

/**
 * Runs one handshake through a compiled WebSocket endpoint. Failures before the socket is
 * accepted answer the handshake: invalid inputs are accepted and closed with 1008 and the
 * errors (FastAPI's answer), an error before accept (a dependency's HTTPException, say) goes
 * through the app's error layers (`answer`: its exception handlers, the HTTPException's
 * response, else the logged 500) and that response is the handshake's; anything after accept
 * closes with 1011. The request's scope is told the endpoint returned, so that request-scoped
 * teardowns run once the socket has closed.
 */
export async function runWebSocket<R extends WebSocketRequest<any>>(request: R, endpoint: Endpoint, answer: (request: R, error: unknown) => ResponseLike | Promise<ResponseLike>, logger: Logger): Promise<void> {
  try {
    await endpoint(request);
  } catch (error) {
    await answerFailure(request, error, answer, logger);
  } finally {
    request.endpointReturned();
  }
}

async function answerFailure<R extends WebSocketRequest<any>>(request: R, error: unknown, answer: (request: R, error: unknown) => ResponseLike | Promise<ResponseLike>, logger: Logger): Promise<void> {
  const ws = request.websocket;
  if (error instanceof RequestValidationError) return closeInvalid(ws, error);
  if (!request.accepted && ws.state === "connecting" && !(error instanceof WebSocketDisconnect)) {
    await request.refuse(await answer(request, error));
    ws.handlerEnded(undefined);
    return;
  }
  if (!(error instanceof WebSocketDisconnect)) logger.error({ err: error, route: request.routeName, ...requestFields(request) }, "Unhandled error in a WebSocket route");
  ws.handlerEnded(error);
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
