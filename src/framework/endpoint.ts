import { isPromise } from "../common/is-promise.ts";
import type { Context } from "./context.ts";
import type { Endpoint, EndpointInto, Sink } from "../toolkit/route-table.ts";
import type { PathTemplate } from "../toolkit/path-template.ts";
import type { Dependency } from "./dependencies/dependency.ts";
import { planGraph, type Graph } from "./dependencies/graph.ts";
import type { DependencyOverrides } from "./dependencies/overrides.ts";
import { Solved } from "./dependencies/solve.ts";
import { compileReaders, type ReadInputs, type ReadInto, type Values } from "./inputs/read.ts";
import type { ReadDirect } from "./inputs/read-direct.ts";
import { MISS } from "./inputs/accept.ts";
import { planGraphInputs } from "./inputs/plan.ts";
import type { Inputs } from "./dependencies/dependency.ts";
import type { RouteOptions } from "./route-options.ts";
import { compileResponder, trustedResponder, type Respond } from "./respond.ts";
import { planEcho, type Echo } from "./body/json-echo.ts";
import type { ResponseLike } from "../toolkit/response.ts";
import { inPool } from "../threads/threaded.ts";

/** A handler as stored, its inputs erased; the router's methods keep the precise types. */
export type AnyHandler = (inputs: any, ctx: Context) => unknown;

export interface RouteParts {
  readonly template: PathTemplate;
  readonly inputs: Inputs;
  readonly handler: AnyHandler;
  readonly options: RouteOptions;
  /** App, router and route `dependencies`, run for their effects, in that order. */
  readonly dependencies: readonly Dependency<unknown>[];
}

const NO_INPUTS: Values = [Object.freeze({})];

/**
 * Builds a route's pipeline once, at registration: input reading is compiled from the declared
 * inputs of the route and of its dependencies (a route that declares none skips it), the
 * dependency graph is planned, and sending is compiled from the response models. Per request
 * what remains is read, solve, call, send, with no await unless an input, a dependency, the
 * handler or a schema is asynchronous. Overridden dependencies re-plan the route on its next
 * request.
 */
export function compileEndpoint(parts: RouteParts, overrides: DependencyOverrides, respond?: Respond): Endpoint<Context> {
  let version = overrides.version;
  let compiled = compile(parts, overrides, respond);
  // Without dependencies there is nothing to override: no version check per request.
  if (compiled.graph.nodes.length === 0) return compiled.endpoint;
  return (ctx) => {
    if (version !== overrides.version) {
      version = overrides.version;
      compiled = compile(parts, overrides, respond);
    }
    return compiled.endpoint(ctx);
  };
}

function compile(parts: RouteParts, overrides: DependencyOverrides, respondWith: Respond | undefined): { graph: Graph; endpoint: Endpoint<Context> } {
  const graph = planGraph(parts.inputs, parts.dependencies, overrides);
  const plan = planGraphInputs(parts.template, graph.owners, { strict: parts.options.strict ?? false });
  // A WebSocket route has no response to send: its session is the handler itself.
  const echo = respondWith === undefined ? planEcho(plan, parts.options) : undefined;
  const readers = compileReaders(plan, echo);
  const respond = respondWith ?? compileResponder(parts.options);
  const send = echo === undefined ? respond : echoing(echo, respond, trustedResponder(parts.options));
  // A `threaded` handler runs in the worker thread pool with its inputs, as FastAPI runs `def` endpoints.
  const handler = inPool(parts.handler);
  const plain = graph.nodes.length === 0 && echo === undefined;
  const run = graph.nodes.length > 0 ? solving(graph, handler, send) : plain ? directly(handler, respond) : direct(handler, send);
  const owners = plan.owners;
  const endpoint: Endpoint<Context> = readers !== undefined ? readThen(readers.read, run) : owners === 1 ? (ctx) => run(ctx, NO_INPUTS) : (ctx) => run(ctx, freshValues(owners));
  // The inputs read in a straight line, or none: the error layers' continuation can be the handler's.
  if (plain && respondWith === undefined && (readers === undefined ? owners === 1 : readers.direct !== undefined)) {
    endpoint.into = directlyInto(handler, respond, readers?.direct, endpoint);
  } else if (readers?.into !== undefined && respondWith === undefined) {
    endpoint.into = bodyInto(readers.into, run);
  }
  return { graph, endpoint };
}

type Run = (ctx: Context, values: Values) => ResponseLike | Promise<ResponseLike>;

/** Turns the handler's result into the response; the request's values let an echo see the body it accepted. */
type Send = (result: unknown, ctx: Context, values: Values) => ResponseLike | Promise<ResponseLike>;

// The handler gave back the very object its body's model produced, with the JSON the model
// accepted (see body/json-echo.ts): the model would answer the same again, so it is not asked.
function echoing(echo: Echo, respond: Respond, trusted: (value: unknown) => ResponseLike): Send {
  const { slot, same } = echo;
  const name = echo.spec.name;
  return (result, ctx, values) => {
    const body: unknown = values[slot];
    return body !== undefined && result === values[0]![name] && same(result, body) ? trusted(result) : respond(result, ctx);
  };
}

// The reader goes on with `run` itself: no promise of the endpoint's own between reading a body
// and the handler (two promise jobs fewer per request with a body: about 0.2-0.4 µs).
function readThen(read: ReadInputs, run: Run): Endpoint<Context> {
  return (ctx) => read(ctx, run);
}

function direct(handler: AnyHandler, send: Send): Run {
  return (ctx, values) => {
    const result = handler(values[0], ctx);
    return isPromise(result) ? result.then((value) => send(value, ctx, values)) : send(result, ctx, values);
  };
}

// As direct, for a route with no echo, whose response needs only the context: a handler that
// waits does not keep the values' array through its continuation (64 B of a parked
// `/slow_task/` request, heap snapshots; the inputs object the handler was given it keeps).
function directly(handler: AnyHandler, respond: Respond): Run {
  return (ctx, values) => {
    const result = handler(values[0], ctx);
    return isPromise(result) ? result.then((value) => respond(value, ctx)) : respond(result, ctx);
  };
}

// As directly, for the error layers' sink (route-table.ts, EndpointInto): a waiting handler's
// value becomes the response, which is checked and delivered, in the one continuation of the
// handler's promise, not one for the endpoint's promise and another for the layers' `then` on
// it. Inputs the direct reader does not take (MISS: a 422 to come, or a value its checks leave
// to the schema) go the endpoint's usual way, as does a response a model validates
// asynchronously.
function directlyInto(handler: AnyHandler, respond: Respond, read: ReadDirect | undefined, endpoint: Endpoint<Context>): EndpointInto<Context> {
  let continuation: Continuation | undefined;
  return (ctx, sink) => {
    const values = read === undefined ? NO_INPUTS : read(ctx);
    if (values === MISS) return settled(ctx, endpoint(ctx), sink);
    const result = handler(values[0], ctx);
    if (!isPromise(result)) return settled(ctx, respond(result, ctx), sink);
    // A server hands every request the same sink: its continuation is made once.
    if (continuation === undefined || continuation.sink !== sink) continuation = new Continuation(respond, sink);
    return result.then(continuation.done.bind(ctx), continuation.failed.bind(ctx));
  };
}

// A route with a JSON body: its response, made in the promise job that read the body, goes to
// the sink from there (inputs/read.ts, ReadInto), not through the endpoint's promise and the
// error layers' `then` on it (server-errors.ts settleInto: 265 B a request of
// bench/apps/spry-model.ts's POST, alloc-sites.mjs).
function bodyInto(read: ReadInto, run: Run): EndpointInto<Context> {
  return (ctx, sink) => read(ctx, run, sink);
}

// The two halves of directlyInto's continuation for one route and sink, bound to each request
// rather than made as closures for it: a waiting handler's request keeps two bound functions
// (48 B each) instead of two closures and their context (56 B each and 48 B: heap snapshots of
// parked `/slow_task/` requests, bench/parked-heap.mjs).
class Continuation {
  readonly sink: Sink<Context>;
  readonly done: (this: Context, value: unknown) => Promise<void> | undefined;
  readonly failed: (this: Context, error: unknown) => Promise<void> | undefined;

  constructor(respond: Respond, sink: Sink<Context>) {
    this.sink = sink;
    this.done = function (value) {
      let response: ResponseLike | Promise<ResponseLike>;
      try {
        response = respond(value, this);
      } catch (error) {
        return sink.fail(this, error);
      }
      return sink.respond(this, response);
    };
    this.failed = function (error) {
      return sink.fail(this, error);
    };
  }
}

// A response made at once is returned as it is; one not ready goes to the sink.
function settled(ctx: Context, response: ResponseLike | Promise<ResponseLike>, sink: Sink<Context>): ResponseLike | Promise<void> | undefined {
  return isPromise(response) ? sink.respond(ctx, response) : response;
}

// Synchronous from start to finish when every dependency and the handler are: the awaits are
// paid only where something is actually asynchronous.
function solving(graph: Graph, handler: AnyHandler, respond: Send): Run {
  return (ctx, values) => {
    const solved = new Solved(graph.nodes.length);
    let setup: void | Promise<void>;
    try {
      setup = solved.setup(graph, values, ctx);
    } catch (error) {
      solved.recordError(error);
      return respondAfterRelease(solved, ctx, undefined, respond, values);
    }
    if (isPromise(setup)) {
      return setup.then(
        () => call(graph, handler, respond, solved, values, ctx),
        (error: unknown) => {
          solved.recordError(error);
          return respondAfterRelease(solved, ctx, undefined, respond, values);
        },
      );
    }
    return call(graph, handler, respond, solved, values, ctx);
  };
}

function call(graph: Graph, handler: AnyHandler, respond: Send, solved: Solved, values: Values, ctx: Context): ResponseLike | Promise<ResponseLike> {
  const args = values[0]!;
  const subs = graph.routeSubs;
  for (let i = 0; i < subs.length; i++) args[subs[i]![0]] = solved.results[subs[i]![1]];
  let result: unknown;
  try {
    result = handler(args, ctx);
  } catch (error) {
    solved.recordError(error);
    return respondAfterRelease(solved, ctx, undefined, respond, values);
  }
  if (!isPromise(result)) return respondAfterRelease(solved, ctx, result, respond, values);
  return result.then(
    (value) => respondAfterRelease(solved, ctx, value, respond, values),
    (error: unknown) => {
      solved.recordError(error);
      return respondAfterRelease(solved, ctx, undefined, respond, values);
    },
  );
}

// The "function" scope's teardowns run before the response is made, so that their error can
// still be the response.
function respondAfterRelease(solved: Solved, ctx: Context, result: unknown, respond: Send, values: Values): ResponseLike | Promise<ResponseLike> {
  const released = solved.releaseFunctionScope();
  return isPromise(released) ? released.then(() => respond(result, ctx, values)) : respond(result, ctx, values);
}

function freshValues(owners: number): Values {
  return Array.from({ length: owners }, () => ({}));
}
