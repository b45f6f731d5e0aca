/**
 * spry's toolkit on its own (`spry/toolkit`), as Starlette is without FastAPI: routes whose
 * endpoints take the request and return a response, middleware, exception handlers, both
 * transports. A Spry app is built on it.
 */
export { ToolkitApp, type ToolkitOptions, type ToolkitRoute } from "./app.ts";
export { SpryRequest, type AppConfig, type Client, type QueryValues, type RouteInfo } from "./request.ts";
export { SpryResponse, jsonResponse, jsonText, textResponse, emptyResponse, type ResponseBody, type ResponseLike, type OutgoingHeaders } from "./response.ts";
export type { Middleware, Next } from "./middleware.ts";
export type { Endpoint, Method } from "./route-table.ts";
export type { ErrorClass, ExceptionHandler } from "./exception-handlers.ts";
export { HTTPException } from "../common/http-exception.ts";
export { InvalidHeaderError } from "./header-check.ts";
export { ClientDisconnected, HandlerTimeout } from "./signals.ts";
export type { RequestLimits } from "./limits.ts";
