import { isPromise } from "../common/is-promise.ts";
import type { Logger } from "../common/logger.ts";
import { InvalidHeaderError, validHeader } from "./header-check.ts";
import type { SpryResponse } from "./response.ts";

/** What a scope needs of its request: its name for logs, the app's config, and when its response is done. */
export interface ScopeOwner<Tasks> {
  readonly routeName: string;
  readonly config: { readonly logger: Logger; readonly makeTasks?: TasksFactory<Tasks> | undefined };
  whenDone(done: WhenDone): void;
}

/**
 * What a transport calls once a request's response is done: a function, or an object whose
 * responseDone() it calls, which is how a request's scope waits (no closure per request).
 */
export type WhenDone = (() => void) | { responseDone(): void };

/** Calls `done` as whenDone was given it. */
export function callDone(done: WhenDone): void {
  if (typeof done === "function") done();
  else done.responseDone();
}

/**
 * Work deferred as an object rather than a function: BackgroundTasks hands itself, and its
 * runDeferred() is called, so that a request's tasks make no closure to be deferred.
 */
export interface DeferredWork {
  runDeferred(): unknown;
}

type Deferred = (() => unknown) | DeferredWork;

function runOne(work: Deferred): unknown {
  return typeof work === "function" ? work() : work.runDeferred();
}

/** Makes one request's background tasks (Spry's BackgroundTasks) from its scope. */
export type TasksFactory<Tasks> = (scope: RequestScope<Tasks>) => Tasks;

/**
 * One request's life beyond reading it, as Starlette keeps it beside the request rather than in
 * it: headers its handler set for whatever response answers it, background tasks, and work
 * deferred until after the response (dependency teardowns, an upload's temporary files).
 * Dispatch owns it: it applies the headers when the response is final, drops the tasks when
 * the request failed, and says when the endpoint has returned.
 *
 * Deferred work waits for both the response being done and the endpoint having returned, so
 * that a teardown never runs under a handler that is still using the resource (after a 504
 * at its deadline, or a client that left).
 */
export class RequestScope<Tasks = unknown> {
  readonly #owner: ScopeOwner<Tasks>;
  // The one piece of work most requests defer, as it is; an array once there are more.
  #deferred: Deferred | Deferred[] | undefined;
  #watching = false;
  #headers: [string, string | string[]][] | undefined;
  #applied = 0;
  #tasks: Tasks | undefined;
  #responseDone = false;
  #endpointDone = false;
  #work: Promise<unknown> | undefined;

  constructor(owner: ScopeOwner<Tasks>) {
    this.#owner = owner;
  }

  /** The request's route as logs name it. */
  get routeName(): string {
    return this.#owner.routeName;
  }

  get logger(): Logger {
    return this.#owner.config.logger;
  }

  /** Whether the response is done (written, or its client gone), as far as deferred work waits for it. */
  get responded(): boolean {
    return this.#responseDone;
  }

  /** Runs `task` after the response (see SpryRequest.defer), or `task.runDeferred()`. */
  defer(task: Deferred): void {
    const deferred = this.#deferred;
    if (deferred === undefined) this.#deferred = task;
    else if (Array.isArray(deferred)) deferred.push(task);
    else this.#deferred = [deferred, task];
    if (this.#watching) return;
    this.#watching = true;
    this.#owner.whenDone(this);
  }

  /** Called by the transport (through whenDone) once the response is done. @internal */
  responseDone(): void {
    this.#responseDone = true;
    if (this.#endpointDone && this.#deferred !== undefined) this.#runDeferred();
  }

  /** Has deferred work wait for `work` as well: an endpoint still running after its 504 went out. */
  outlive(work: Promise<unknown>): void {
    this.#work = work;
  }

  /** Called by dispatch once the middleware and endpoint have returned (or thrown). */
  endpointReturned(): void {
    const work = this.#work;
    if (work !== undefined) {
      this.#work = undefined;
      void work.then(() => this.endpointReturned());
      return;
    }
    this.#endpointDone = true;
    if (this.#responseDone && this.#deferred !== undefined) this.#runDeferred();
  }

  #runDeferred(): void {
    const deferred = this.#deferred!;
    this.#deferred = undefined;
    if (Array.isArray(deferred)) return this.#runFrom(deferred, 0);
    let result: unknown;
    try {
      result = runOne(deferred);
    } catch (error) {
      return this.#failed(error);
    }
    if (isPromise(result)) void result.then(undefined, (error: unknown) => this.#failed(error));
  }

  // In order, each awaited; synchronous while they are, so that a request whose deferred work
  // is synchronous (a sync teardown, background tasks that are) pays no promise and no tick.
  #runFrom(tasks: Deferred[], first: number): void {
    for (let i = first; i < tasks.length; i++) {
      let result: unknown;
      try {
        result = runOne(tasks[i]!);
      } catch (error) {
        this.#failed(error);
        continue;
      }
      if (isPromise(result)) {
        void result.then(undefined, (error: unknown) => this.#failed(error)).then(() => this.#runFrom(tasks, i + 1));
        return;
      }
    }
  }

  #failed(error: unknown): void {
    this.logger.error({ err: error, route: this.routeName }, "A deferred task failed after the response");
  }

  /** The request's background tasks, made on first use; a route that adds none pays nothing. */
  get tasks(): Tasks {
    if (this.#tasks !== undefined) return this.#tasks;
    const make = this.#owner.config.makeTasks;
    if (make === undefined) throw new Error("ctx.tasks needs an app that runs tasks: a Spry app, not a bare toolkit app");
    return (this.#tasks = make(this));
  }

  /** Drops the request's background tasks: it failed, and its error response carries none, as in Starlette. */
  discardTasks(): void {
    (this.#tasks as { discard?(): void } | undefined)?.discard?.();
  }

  /** Remembers a header for this request's response, whatever answers it; refused at once if unsafe. */
  setHeader(name: string, value: string | string[]): void {
    const key = name.toLowerCase();
    if (!validHeader(key, value)) throw new InvalidHeaderError(key);
    (this.#headers ??= []).push([key, value]);
  }

  /** Whether setHeader was called: only then must the final response be changed. */
  get hasHeaders(): boolean {
    return this.#headers !== undefined;
  }

  /**
   * Puts the headers set with setHeader on `response`: dispatch calls it as the route's
   * response leaves the innermost layer (so middleware sees them, and may change them), and
   * again before writing, for headers set since. `all` puts every one on (a 500 that replaced
   * the response).
   */
  applyHeaders(response: SpryResponse, all = false): void {
    const headers = this.#headers!;
    for (let i = all ? 0 : this.#applied; i < headers.length; i++) response.headers[headers[i]![0]] = headers[i]![1];
    this.#applied = headers.length;
  }
}
