import { registerModuleFunction, type ModuleFunctionRef } from "./module-function.ts";
import { threadPool, type ThreadPool } from "./pool.ts";
import { prepareArguments } from "./arguments.ts";
import { inPoolWorker } from "./where.ts";

/**
 * What a pooled route handler or dependency needs of its request: the signal that cancels the
 * call, and the app's pool (a Spry app's config carries it, and the app itself as the pool's user).
 */
interface Cancellable {
  readonly signal: AbortSignal;
  readonly config?: { readonly threads?: ThreadPool; readonly threadsUser?: object };
}

const kThreaded: unique symbol = Symbol.for("spry.threaded");

/** How one call of a `threaded` function runs; see `.with()`. */
export interface ThreadedCallOptions {
  /**
   * Cancels the call: a queued call never runs; a running one finishes on its thread, its
   * result dropped, and the caller rejects at once with the signal's reason.
   */
  signal?: AbortSignal;
  /** The pool to run on; default the process's shared `threadPool`. */
  pool?: ThreadPool;
  /** Terminate the thread of a running call when `signal` aborts (a new one replaces it). */
  terminate?: boolean;
}

/**
 * A function that runs in the worker thread pool: called, it returns a promise of what the
 * original returns. Its `ref` is how a thread finds it again (its module and name).
 */
export interface Threaded<A extends unknown[], R> {
  (...args: A): Promise<Awaited<R>>;
  /** The same call, with a signal to cancel it. */
  with(options: ThreadedCallOptions): (...args: A) => Promise<Awaited<R>>;
  readonly ref: ModuleFunctionRef;
  readonly [kThreaded]: ModuleFunctionRef;
}

export interface ThreadedOptions {
  /** Unique in its module; defaults to the function's name (needed for an arrow function). */
  name?: string;
}

/**
 * Declares a function that runs in spry's worker thread pool (the article's
 * `asyncio.to_thread`): for CPU-bound or blocking work that would otherwise stop every other
 * request. Declare it at the top of a module and pass `import.meta.url`: a thread imports that
 * module to find the function by its name, since a function itself cannot cross threads.
 * Arguments and the result are copied (see `transfer` to move buffers instead). Used as a
 * route's handler or a dependency's function, it runs in the pool with its validated inputs.
 * Inside a pool thread it runs inline, so threaded functions can call each other.
 *
 * @example
 * // hashing.ts
 * export const hashPassword = threaded(import.meta.url, function hashPassword(password: string): string {
 *   return scryptSync(password, "salt", 64).toString("hex");
 * });
 * // main.ts
 * const hash = await hashPassword("secret"); // runs in the pool
 * const hash2 = await hashPassword.with({ signal: ctx.signal })("secret"); // cancelled if the client goes
 */
export function threaded<A extends unknown[], R>(module: string, fn: (...args: A) => R): Threaded<A, R>;
export function threaded<A extends unknown[], R>(module: string, options: ThreadedOptions, fn: (...args: A) => R): Threaded<A, R>;
export function threaded(module: string, a: ThreadedOptions | AnyFunction, b?: AnyFunction): Threaded<unknown[], unknown> {
  const [options, fn] = (typeof a === "function" ? [{}, a] : [a, b]) as [ThreadedOptions, AnyFunction | undefined];
  if (typeof fn !== "function") throw new TypeError("threaded() needs the function to run");
  const ref = registerModuleFunction(module, options.name ?? fn.name, fn);
  const call = (callOptions: ThreadedCallOptions | undefined, args: unknown[]): Promise<unknown> =>
    inPoolWorker ? inline(fn, args, callOptions?.signal) : send(ref, args, callOptions?.signal, callOptions?.terminate, callOptions?.pool ?? threadPool, undefined);
  const wrapper = ((...args: unknown[]) => call(undefined, args)) as Threaded<unknown[], unknown> & { ref: ModuleFunctionRef };
  Object.defineProperty(wrapper, "name", { value: ref.name });
  wrapper.ref = ref;
  wrapper.with = (callOptions) => (...args) => call(callOptions, args);
  (wrapper as { [kThreaded]: ModuleFunctionRef })[kThreaded] = ref;
  return wrapper;
}

type AnyFunction = (...args: any[]) => unknown;

async function inline(fn: AnyFunction, args: unknown[], signal: AbortSignal | undefined): Promise<unknown> {
  signal?.throwIfAborted();
  return fn(...args);
}

/** What `threaded` function a value is, if it is one. */
export function threadedRef(value: unknown): ModuleFunctionRef | undefined {
  return typeof value === "function" ? (value as Partial<Threaded<[], unknown>>)[kThreaded] : undefined;
}

/**
 * A route handler or dependency function, as the pipeline calls it: unchanged, or, for a
 * `threaded` one, a call in the pool with its inputs only (the context cannot be copied to a
 * thread), cancelled while queued if the request's signal aborts.
 */
export function inPool<F extends (inputs: any, ctx: never) => unknown>(fn: F): F {
  const ref = threadedRef(fn);
  if (ref === undefined || inPoolWorker) return fn;
  return ((inputs: unknown, ctx: Cancellable) => send(ref, [inputs], ctx.signal, false, ctx.config?.threads ?? threadPool, ctx.config?.threadsUser)) as unknown as F;
}

function send(ref: ModuleFunctionRef, args: unknown[], signal: AbortSignal | undefined, terminate: boolean | undefined, pool: ThreadPool, user: object | undefined): Promise<unknown> {
  try {
    return pool.run(ref, args, { signal, terminate, transferList: prepareArguments(ref, args) }, user);
  } catch (error) {
    return Promise.reject(error);
  }
}
