import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { inDevMode } from "../common/dev-mode.ts";
import { isPromise } from "../common/is-promise.ts";
import { requestFacts } from "../common/request-facts.ts";
import { positiveTimeout } from "./deadline.ts";
import { LoopMonitor, type BlockingOptions } from "./event-loop.ts";
import { ExceptionHandlers, handleExceptions } from "./exception-handlers.ts";
import { checkedTypedResponse, toFetchResponse } from "./fetch-writer.ts";
import { FetchRequest } from "./fetch-request.ts";
import { InFlight } from "./in-flight.ts";
import { compose, type Handle, type Middleware } from "./middleware.ts";
import { NodeRequest } from "./node-request.ts";
import { writeNode } from "./node-writer.ts";
import { Overload, type OverloadOptions } from "./overload.ts";
import type { AppConfig, SpryRequest } from "./request.ts";
import { withContext } from "./request-context.ts";
import { finalize, SpryResponse, type ResponseLike } from "./response.ts";
import type { RouteEntry, RouteTable } from "./route-table.ts";
import { routing, type Routing } from "./routing.ts";
import { ServerErrors } from "./server-errors.ts";

/** How a Dispatcher treats requests beyond routing; each part is documented on SpryOptions. */
export interface DispatchOptions {
  redirectSlashes?: boolean | undefined;
  timeout?: number | undefined;
  overload?: OverloadOptions | undefined;
  blocking?: BlockingOptions | undefined;
  /** Make each request reachable as currentContext() (AsyncLocalStorage; off by default, it costs). */
  requestContext?: boolean | undefined;
}

/** 100 ms: the "default in dev", and short enough to catch a synchronous hash or file read. */
const DEFAULT_BLOCKING_THRESHOLD = 100;

/**
 * From a transport's request to its written response. Per request: admission (overload, 503),
 * then the layers, composed once as Starlette builds its middleware stack, outermost first:
 *
 *   server-errors.ts   any error left -> a response (a logged 500); headers checked
 *   your middleware    `(request, next) => response`, the first added outermost
 *   exception-handlers.ts  errors from routing and endpoints -> their handler or HTTPException
 *   routing.ts         limits, the route lookup, 404/405/307, the endpoint under its deadline
 *
 * and the final response written once, by the transport's writer (node-writer.ts, or
 * fetch-writer.ts), after finalize() has decided its length and dropped a HEAD body. The two
 * entry points, `handleNode` and `fetch`, differ only in how the request is read and that writer.
 * In an app without middleware, admission limits or request context, a Fetch request takes the
 * same steps as one function instead (#routeDirectly).
 */
export class Dispatcher<Tasks = unknown> {
  readonly table: RouteTable;
  readonly config: AppConfig<Tasks>;
  readonly monitor: LoopMonitor;
  readonly exceptionHandlers = new ExceptionHandlers();
  readonly #overload: Overload | undefined;
  readonly #threshold: number;
  // Tracked only when something reads it: the concurrency limit, or the blocking report's suspects.
  // A request answered synchronously is only counted (#entered) while its layers run: nothing
  // else runs meanwhile to look for it, and a Set that went from empty to one and back for
  // every such request reallocated its table each time (about 300 bytes a request).
  readonly #inFlight: InFlight<SpryRequest<Tasks>> | undefined;
  #entered = 0;
  readonly #withContext: boolean;
  readonly #wantsMonitor: boolean;
  readonly #routing: Routing<SpryRequest<Tasks>>;
  readonly #middleware: Middleware<SpryRequest<Tasks>>[] = [];
  #errors: ServerErrors<SpryRequest<Tasks>>;
  // Whether a Fetch request may take the direct path (#routeDirectly): no middleware, no
  // admission, no request context. Decided with the layers, never per request.
  #direct = false;

  constructor(table: RouteTable, config: AppConfig<Tasks>, options: DispatchOptions = {}) {
    this.table = table;
    this.config = config;
    const blocking = options.blocking ?? {};
    this.#threshold = blocking.threshold ?? DEFAULT_BLOCKING_THRESHOLD;
    const inFlight = (this.#inFlight = this.#threshold > 0 || options.overload?.maxConcurrency !== undefined ? new InFlight() : undefined);
    this.monitor = new LoopMonitor({
      threshold: this.#threshold,
      trace: blocking.trace ?? inDevMode(),
      logger: config.logger,
      counters: config.stats,
      inFlight: function* () {
        if (inFlight !== undefined) for (const request of inFlight) yield request.routeName;
      },
    });
    this.#overload = options.overload === undefined ? undefined : new Overload(options.overload, this.monitor, config.stats);
    this.#withContext = (options.requestContext ?? false) || this.monitor.tracing;
    this.#wantsMonitor = this.#threshold > 0 || this.#overload?.shedding === true;
    this.#routing = routing(table, {
      limits: config.limits,
      logger: config.logger,
      stats: config.stats,
      redirectSlashes: options.redirectSlashes ?? true,
      timeout: positiveTimeout(options.timeout),
    });
    this.#errors = this.#build();
  }

  /** Requests being handled now: not yet answered. */
  get inFlight(): number {
    return (this.#inFlight?.size ?? 0) + this.#entered;
  }

  /** Starts the event-loop monitor when something needs it; app startup and the first request call it. */
  startMonitor(): void {
    if (this.#wantsMonitor) this.monitor.start();
  }

  /** Adds middleware around routing; the first added is the outermost. */
  use(middleware: Middleware<SpryRequest<Tasks>>): void {
    this.#middleware.push(middleware);
    this.#errors = this.#build();
  }

  // The layers, composed once per change of the middleware, never per request.
  #build(): ServerErrors<SpryRequest<Tasks>> {
    // Without middleware the two error layers are one: routing's errors are answered in the
    // continuation that checks its response (server-errors.ts).
    this.#direct = this.#middleware.length === 0 && this.#overload === undefined && !this.#withContext;
    if (this.#middleware.length === 0) return new ServerErrors(this.exceptionHandlers, this.#routing, true, this.#routing.into);
    const inner = handleExceptions(this.exceptionHandlers, this.#routing);
    return new ServerErrors(this.exceptionHandlers, compose(this.#middleware, withScopeHeaders(inner)));
  }

  // The response is written from the continuation in which the error layers settle it
  // (ServerErrors.handleInto): an asynchronous endpoint costs dispatch one promise in all.
  /** The native node:http path. Pass it to `http.createServer`. */
  readonly handleNode = (req: IncomingMessage, res: ServerResponse): void => {
    void this.#run(new NodeRequest<Tasks>(req, res, this.config), this.#writeNode, false, requestFacts(req)?.start);
  };

  /** The Fetch API path: the standard interface any Fetch-speaking host can serve. */
  readonly fetch = (fetchRequest: Request): Promise<Response> => Promise.resolve(this.#serveFetch(fetchRequest, undefined, false));

  /**
   * The Fetch API path for a host that writes a text or byte body's length itself (Bun.serve,
   * through app.bun), so the Response need not carry it; given `routed`, the route the host's
   * own router matched (a path without parameters), which routing then does not look up.
   * Every layer runs as for `fetch`. A request answered synchronously gets its Response as it
   * is, not in a promise: Bun.serve takes either, and the promise is one more allocation and
   * settling per request for its collector.
   */
  fetchOnHost(fetchRequest: Request, routed?: RouteEntry): Response | Promise<Response> {
    return this.#serveFetch(fetchRequest, routed, true);
  }

  #serveFetch(fetchRequest: Request, routed: RouteEntry | undefined, hostWritesLength: boolean): Response | Promise<Response> {
    try {
      const request = new FetchRequest<Tasks>(fetchRequest, this.config, routed, hostWritesLength);
      // The writer is one function for every request, which leaves the Response on the request:
      // no closure per request. Not an async function: a request answered synchronously is
      // answered at once, without the microtask an await of a plain value costs.
      const direct = this.#direct;
      const pending = this.#run(request, this.#handBack, direct);
      // The direct path's promise settles with the Response already.
      if (pending === undefined) return request.response!;
      return direct ? (pending as unknown as Promise<Response>) : pending.then(() => request.response!);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readonly #handBack = (request: FetchRequest<Tasks>, final: ResponseLike): void => {
    request.response = toFetchResponse(finalize(final, request.method === "HEAD"), request.hostWritesLength);
    this.#done(request);
    request.handedBack();
  };

  /**
   * The response for an error about `request` raised outside its layers (a WebSocket handshake
   * refused before its route runs), answered as the error layers answer one raised inside:
   * the app's exception handlers, an HTTPException's `{"detail": ...}`, else the logged 500.
   */
  answer(request: SpryRequest<Tasks>, error: unknown): ResponseLike | Promise<ResponseLike> {
    return this.#errors.answer(request, error);
  }

  /** The response of one request, from every layer; never throws, never rejects. */
  handle(request: SpryRequest<Tasks>): ResponseLike | Promise<ResponseLike> {
    return this.#errors.handle(request);
  }

  // Admission, and the blocking report of the request's first synchronous stretch around the
  // layers; each costs nothing when its feature is off. The final response goes to `deliver`
  // (which never throws); a promise while it is pending. `direct`: the request is a FetchRequest,
  // and #routeDirectly answers it (its promise settles with the Response). `arrived`: the
  // clock's reading as the server took the request in this same stretch, if it read it (the
  // access log's, common/request-facts.ts): the stretch is timed from it, with the server's few
  // steps before the app, instead of a second reading (about 340 instructions, callgrind).
  #run<R extends SpryRequest<Tasks>>(request: R, deliver: (request: R, response: ResponseLike) => void, direct: boolean, arrived?: number): Promise<unknown> | undefined {
    if (this.#wantsMonitor && !this.monitor.running) this.monitor.start();
    const inFlight = this.#inFlight;
    if (this.#overload !== undefined) {
      const refusal = this.#overload.admit(this.inFlight);
      if (refusal !== undefined) {
        const answered = this.#errors.answer(request, refusal);
        if (!isPromise(answered)) {
          deliver(request, answered);
          return undefined;
        }
        return answered.then((final) => deliver(request, final));
      }
    }
    if (inFlight === undefined) return direct ? this.#routeDirectly(request as unknown as FetchRequest<Tasks>) : this.#enter(request, deliver);
    const start = arrived ?? performance.now();
    this.#entered++;
    let pending: Promise<unknown> | undefined;
    try {
      pending = direct ? this.#routeDirectly(request as unknown as FetchRequest<Tasks>) : this.#enter(request, deliver);
    } finally {
      this.#entered--;
    }
    const end = performance.now();
    const ms = end - start;
    if (ms >= this.#threshold && this.#threshold > 0) this.monitor.report(request.routeName, ms, "exact");
    // Pending: in flight until #done. Answered: its synchronous stretch, all it had, ends here.
    if (pending !== undefined) inFlight.add(request);
    else this.monitor.finished(request, end);
    return pending;
  }

  #enter<R extends SpryRequest<Tasks>>(request: R, deliver: (request: R, response: ResponseLike) => void): Promise<void> | undefined {
    const errors = this.#errors as unknown as ServerErrors<R>;
    return this.#withContext ? withContext(request, () => errors.handleInto(request, deliver)) : errors.handleInto(request, deliver);
  }

  /**
   * The layers of an app without middleware, for a Fetch request: routing.ts's step and
   * server-errors.ts around it, called directly, and the Response handed back as #handBack does.
   * For a host that writes the length (app.bun), a response of spry's usual shape
   * (fetch-writer.ts, checkedTypedResponse) is handed back without the layers' header check and
   * finalize(); any other goes through them.
   */
  #routeDirectly(request: FetchRequest<Tasks>): Promise<Response> | undefined {
    const errors = this.#errors as unknown as ServerErrors<FetchRequest<Tasks>>;
    const deliver = this.#handBack;
    let result: ResponseLike | Promise<ResponseLike>;
    try {
      result = this.#routing(request);
    } catch (error) {
      return responseOf(request, errors.failInto(request, error, deliver));
    }
    if (!isPromise(result)) return this.#handOwn(request, result) ? undefined : responseOf(request, errors.settleInto(request, result, deliver));
    // Settles with the Response itself: #serveFetch hands it to the host without a promise more.
    return result.then(
      (response) => (this.#handOwn(request, response) ? request.response! : (responseOf(request, errors.settleInto(request, response, deliver)) ?? request.response!)),
      (error: unknown) => responseOf(request, errors.failInto(request, error, deliver)) ?? request.response!,
    );
  }

  // Hands back a response the layers would leave as it is (no setHeader headers to put on, its
  // one header already checked): true when done, false for the layers to finish.
  #handOwn(request: FetchRequest<Tasks>, response: ResponseLike): boolean {
    if (!request.hostWritesLength || !(response instanceof SpryResponse) || request.method === "HEAD" || request.usedScope?.hasHeaders === true) return false;
    const fetchResponse = checkedTypedResponse(response);
    if (fetchResponse === undefined) return false;
    request.response = fetchResponse;
    this.#done(request);
    request.handedBack();
    return true;
  }

  readonly #writeNode = (request: NodeRequest<Tasks>, response: ResponseLike): void => {
    this.#done(request);
    let written: void | Promise<void>;
    try {
      written = writeNode(request.res, finalize(response, request.method === "HEAD"));
    } catch (error) {
      // server-errors.ts checked the headers; what is left is node refusing to write at all.
      return this.config.logger.error({ err: error, route: request.routeName }, "Writing the response failed");
    }
    // A stream's source failed mid-way: the connection was closed, which tells the client.
    if (written !== undefined) written.catch((error: unknown) => this.config.logger.error({ err: error, route: request.routeName }, "Streaming a response failed"));
  };

  // The layers have returned: the request is no longer in flight, and its scope's deferred work
  // may start once the response is done too.
  #done(request: SpryRequest<Tasks>): void {
    if (this.#inFlight?.delete(request) === true) this.monitor.finished(request);
    request.endpointReturned();
  }
}

// The headers a handler set with setHeader, on the route's response as it leaves the innermost
// layer, so that middleware sees them (and may change them).
function withScopeHeaders<R extends SpryRequest<any>>(inner: Handle<R>): Handle<R> {
  const apply = (request: R, response: ResponseLike): ResponseLike => {
    if (request.usedScope?.hasHeaders !== true) return response;
    const whole = response instanceof SpryResponse ? response : SpryResponse.from(response);
    request.scope.applyHeaders(whole);
    return whole;
  };
  return (request) => {
    const response = inner(request);
    return isPromise(response) ? response.then((r) => apply(request, r)) : apply(request, response);
  };
}

// A request the direct path handed on to the error layers: its Response once they deliver it,
// undefined when they already have.
function responseOf(request: FetchRequest<any>, pending: Promise<void> | undefined): Promise<Response> | undefined {
  return pending === undefined ? undefined : pending.then(() => request.response!);
}
