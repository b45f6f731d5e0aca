import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Logger } from "../common/logger.ts";
import { loadModuleFunction, registerModuleFunction, type ModuleFunctionRef } from "../threads/module-function.ts";

const kTask: unique symbol = Symbol.for("spry.task");

/** How long to wait before a retry: a fixed delay, or one that doubles each time. */
export interface Backoff {
  readonly type: "fixed" | "exponential";
  /** Milliseconds; for "exponential", the first wait. */
  readonly delay: number;
}

export interface TaskOptions<Schema extends StandardSchemaV1 | undefined = undefined> {
  /** Unique in its module; defaults to the function's name. Workers find the task by it. */
  name?: string;
  /** Validates (and converts) the argument when it is added and again when the task runs. */
  args?: Schema;
  /** Runs in the worker-thread pool instead of on the event loop (CPU-bound work). */
  blocking?: boolean;
  /** On a queue backend: attempts after the first one fails (default 0). */
  retries?: number;
  /** On a queue backend: the wait between attempts (default: none). */
  backoff?: Backoff;
  /** On a queue backend: milliseconds before the task may start (default 0). */
  delay?: number;
}

/** What a running task is given besides its argument. */
export interface TaskRun {
  /** Aborted when the task is cut off: shutdown past the grace period, or its worker stopping. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly logger: Logger;
}

export type TaskFunction<Args> = (args: Args, run: TaskRun) => unknown;

/** A named task: the function, and how any process finds it again (its module and name). */
export interface Task<Args = unknown, Input = Args> extends ModuleFunctionRef {
  readonly [kTask]: {
    readonly fn: TaskFunction<Args>;
    readonly options: TaskOptions<StandardSchemaV1 | undefined>;
  };
  /** Carries the argument type callers pass, for inference only; never set. */
  readonly "~input"?: Input;
}

/**
 * Declares a task that runs after the response, in this process or on a queue's workers
 * (`spry worker`), whichever backend the app is configured with. Declare it at the top of a
 * module, so that a worker importing the module finds it by `import.meta.url` and name.
 *
 * @example
 * export const sendWelcome = task(import.meta.url, { args: z.object({ email: z.email() }) },
 *   async function sendWelcome({ email }) { await mailer.send(email, "Welcome!"); });
 * // in a handler:
 * await tasks.add(sendWelcome, { email });
 */
export function task<Args = void>(module: string, fn: TaskFunction<Args>): Task<Args>;
export function task<S extends StandardSchemaV1>(
  module: string,
  options: TaskOptions<S> & { args: S },
  fn: TaskFunction<StandardSchemaV1.InferOutput<S>>,
): Task<StandardSchemaV1.InferOutput<S>, StandardSchemaV1.InferInput<S>>;
export function task<Args = void>(module: string, options: TaskOptions, fn: TaskFunction<Args>): Task<Args>;
export function task(module: string, a: TaskOptions<any> | TaskFunction<any>, b?: TaskFunction<any>): Task<any, any> {
  const [options, fn] = typeof a === "function" ? [{}, a] : [a, b!];
  if (typeof fn !== "function") throw new TypeError("task() needs the function to run");
  const name = options.name ?? fn.name;
  const ref = registerModuleFunction(module, name, fn);
  const declared: Task<any, any> = { module: ref.module, name: ref.name, [kTask]: { fn, options } };
  declaredTasks.set(`${ref.module}#${ref.name}`, declared);
  return declared;
}

// Per process, like the function registry: a worker finds a task's options (schema, blocking)
// by the same module and name a job carries, whether or not the module exports the task.
const declaredTasks = new Map<string, Task<any, any>>();

/** The task declared under `ref`, importing its module first if this process has not loaded it. */
export async function findTask(ref: ModuleFunctionRef): Promise<Task<any, any>> {
  await loadModuleFunction(ref);
  const found = declaredTasks.get(`${ref.module}#${ref.name}`);
  if (found === undefined) throw new Error(`${ref.module}: "${ref.name}" is a plain function, not a task declared with task()`);
  return found;
}

export function isTask(value: unknown): value is Task<unknown> {
  return typeof value === "object" && value !== null && kTask in value;
}

/** The function and options behind a task. */
export function taskParts(value: Task<any, any>): Task<any, any>[typeof kTask] {
  return value[kTask];
}

/**
 * Where added tasks go. The in-process backend runs them after the response; a queue backend
 * (BullMQ on Redis) stores them for `spry worker` processes. Plain functions (closures) can
 * only run in process; a queue backend refuses them when they are added.
 */
export interface TaskBackend {
  /** For logs and errors: "in-process", "redis". */
  readonly kind: string;
  /**
   * Accepts a task once its argument has been validated. A queue backend resolves once the
   * task is stored durably and rejects with a clear error if it cannot be (Redis is down, the
   * argument cannot be serialized); it never drops a task silently.
   */
  enqueue(task: Task<any, any>, args: unknown, origin: { readonly route: string }): Promise<void>;
  /** Stops accepting tasks and releases connections. */
  close(): Promise<void>;
}
