/**
 * spry: declared, validated inputs with inferred types, on a pipeline compiled per route.
 * Optional parts live in subpath exports: `spry/server` (serve, CLI), `spry/testing` (TestClient),
 * `spry/toolkit` (the toolkit without the framework: docs/toolkit.md)
 * and `spry/middleware` (cors, compress, trustedHost, httpsRedirect).
 */
export { Spry, type SpryOptions, type AppStats } from "./framework/app.ts";
export type { Mountable, FetchHandler } from "./framework/mount.ts";
export { Router, type RouterOptions, type RouteDefinition, type RouteMethod } from "./framework/router.ts";
export type { RouteOptions, ResponseSpec } from "./framework/route-options.ts";
export { json, JsonReply, ResponseValidationError } from "./framework/respond.ts";
export { eventStream, ServerSentEvent, type EventStreamOptions, type ServerSentEventFields } from "./toolkit/streams/server-sent-events.ts";
export { jsonLines, type JsonLinesOptions } from "./toolkit/streams/json-lines.ts";
export { WebSocket, WebSocketDisconnect, CloseCode, type MessageCallback, type WebSocketState } from "./toolkit/websocket/websocket.ts";
export type { WebSocketLimits, AcceptOptions } from "./toolkit/websocket/transport.ts";
export type { WebSocketHandler, WebSocketMethod, WebSocketRouteOptions } from "./framework/websocket-route.ts";
export type { Handler, InferInputs, PathParamNames } from "./framework/types.ts";
export { query, header, cookie, path, body, form, file, files, type Param, type ParamOptions, type ParamOptionsFor, type FileOptions } from "./framework/inputs/param.ts";
export type { UploadFile } from "./framework/body/fields.ts";
export { RequestValidationError, type ErrorDetail } from "./framework/validation-error.ts";
export { depends } from "./framework/dependencies/depends.ts";
export { uncached, type Dependency, type DependencyOptions, type Scope, type SecurityScheme } from "./framework/dependencies/dependency.ts";
export { DependencyOverrides } from "./framework/dependencies/overrides.ts";
export { OAuth2PasswordBearer, type OAuth2PasswordBearerOptions } from "./framework/security/oauth2.ts";
export { OAuth2PasswordRequestForm, OAuth2PasswordRequestFormStrict } from "./framework/security/password-form.ts";
export { HTTPBasic, HTTPBearer, type HTTPBasicCredentials, type HTTPAuthorizationCredentials, type HTTPBasicOptions, type HTTPBearerOptions } from "./framework/security/http.ts";
export { APIKeyHeader, APIKeyQuery, APIKeyCookie, type APIKeyOptions } from "./framework/security/api-key.ts";
export { security, securityScopes, type SecurityScopes, type SecurityOptions } from "./framework/security/scopes.ts";
export type { SchemeOptions, OrAnonymous } from "./framework/security/scheme.ts";
export { HTTPException } from "./common/http-exception.ts";
export { currentContext, type Context } from "./framework/context.ts";
export { SpryRequest, type AppHandle, type AppState, type RequestState, type Client, type RouteInfo, type QueryValues } from "./toolkit/request.ts";
export { SpryResponse, jsonResponse, textResponse, emptyResponse, type ResponseLike, type ResponseBody, type OutgoingHeaders } from "./toolkit/response.ts";
export { InvalidHeaderError } from "./toolkit/header-check.ts";
export { NoMatchFound, type PathParamValue } from "./framework/url-for.ts";
export type { Middleware, Next } from "./toolkit/middleware.ts";
export { currentRequestId } from "./common/request-facts.ts";
export type { Lifespan, LifespanState } from "./framework/lifespan.ts";
export { task, type Task, type TaskOptions, type TaskRun, type TaskFunction, type TaskBackend, type Backoff } from "./tasks/task.ts";
export { BackgroundTasks, type TaskArgs } from "./tasks/background-tasks.ts";
export { TaskCutOff } from "./tasks/runner.ts";
export { TaskArgsInvalid } from "./tasks/redis/job-data.ts";
export { TaskArgsNotSerializable } from "./tasks/redis/json-args.ts";
export { sleep } from "./toolkit/sleep.ts";
export { ClientDisconnected, HandlerTimeout } from "./toolkit/signals.ts";
export { ServiceUnavailable, type OverloadOptions } from "./toolkit/overload.ts";
export type { BlockingOptions, LoopStats } from "./toolkit/event-loop.ts";
export type { Logger } from "./common/logger.ts";
export type { RequestLimits } from "./toolkit/limits.ts";
export { threaded, type Threaded, type ThreadedOptions, type ThreadedCallOptions } from "./threads/threaded.ts";
export { ThreadPool, threadPool, type ThreadPoolOptions, type ThreadPoolStats, type Percentiles } from "./threads/pool.ts";
export { transfer, type Movable } from "./threads/transfer.ts";
export { PoolSaturated, WorkerCrashed } from "./threads/errors.ts";
