import { isPromise } from "../common/is-promise.ts";
import type { Logger } from "../common/logger.ts";
import { runBlocking } from "./blocking.ts";
import type { CutOff, TaskRunner, TrackedTasks } from "./runner.ts";
import { checkTaskArgs } from "./task-args.ts";
import { isTask, taskParts, type Task, type TaskRun } from "./task.ts";

type PlainFunction = (...args: any[]) => unknown;

/** What a request's tasks need of the request's scope (toolkit/scope.ts): its route, logger, and work after the response. */
export interface TaskOwner {
  readonly routeName: string;
  readonly logger: Logger;
  /** Calls `work.runDeferred()` after the response. */
  defer(work: { runDeferred(): unknown }): void;
}

/** The arguments `add` takes after a declared task: its schema's input, optional when it may be undefined. */
export type TaskArgs<Input> = undefined extends Input ? [args?: Input] : [args: Input];

// What an added task runs, as data rather than a closure or an object per add: two slots of the
// request's one array of entries, the target (a declared task, or a plain function) and its
// value (the task's checked argument, or the function's arguments). The rest (the task's
// function, name, whether it is a blocking one) is read from the target when it is needed.
type Target = Task<any, any> | PlainFunction;

function nameOf(target: Target): string {
  return typeof target === "function" ? target.name || "anonymous function" : target.name;
}

const ADDED: Promise<void> = Promise.resolve();

// The entries of a request with none (yet, or any more): never pushed to (#push replaces it),
// so that making a request's tasks and finishing them allocates no empty array.
const NO_ENTRIES: unknown[] = [];
const NO_ARGS: unknown[] = [];

/**
 * One request's background tasks: work that runs after its response has been sent, like
 * FastAPI's BackgroundTasks. Reach it as `ctx.tasks` in a handler or a dependency.
 *
 * In process (the default), tasks run once the response is complete (or the client has gone),
 * one after the other, each awaited; one that fails is logged with the route and its name, and
 * the next still runs. If the request fails (the handler or a dependency throws, an
 * HTTPException included), its tasks are dropped, as Starlette drops them with the response
 * that would have carried them. On a queue backend (`new Spry({ tasks })`), a
 * declared task is stored at `add` instead, before the response, and plain functions are refused.
 *
 * @example
 * export const sendWelcome = task(import.meta.url, { args: z.object({ email: z.email() }) },
 *   async function sendWelcome({ email }) { await mailer.send(email, "Welcome!"); });
 *
 * app.post("/users", { email: body(z.email()) }, async ({ email }, { tasks }) => {
 *   const user = await users.create(email);
 *   await tasks.add(sendWelcome, { email });         // a declared task: portable to a queue
 *   await tasks.add(cache.invalidate, "users");      // any function, in process only
 *   return user;
 * });
 */
export class BackgroundTasks {
  readonly #owner: TaskOwner;
  readonly #runner: TaskRunner;
  // [target, value, target, value, ...]; #next is the next target's index.
  #entries: unknown[] = NO_ENTRIES;
  #next = 0;
  #state: "new" | "collecting" | "running" | "finished" | "dropped" | "cut off" = "new";
  #run: BatchRun | undefined;
  /** The runner's list of pending tasks (runner.ts, Pending). @internal */
  pendingPrev: TrackedTasks | undefined = undefined;
  /** @internal */ pendingNext: TrackedTasks | undefined = undefined;
  /** @internal */ pendingListed = false;

  constructor(owner: TaskOwner, runner: TaskRunner) {
    this.#owner = owner;
    this.#runner = runner;
  }

  /**
   * Adds a declared task (see `task()`) with its argument, or any function with its arguments.
   * A declared task's argument is checked now, against its schema and for surviving JSON, and
   * a bad one throws here, synchronously (in a handler: a logged 500). On a queue backend the
   * returned promise settles once the task is stored: await it, so that a failure to store it
   * reaches your handler.
   *
   * @example
   * await tasks.add(sendWelcome, { email });
   * await tasks.add((id: number) => audit.log("viewed", id), item.id);
   */
  add<Input>(task: Task<any, Input>, ...args: TaskArgs<Input>): Promise<void>;
  add<F extends PlainFunction>(fn: F, ...args: Parameters<F>): Promise<void>;
  // `arguments` rather than a rest parameter: a declared task, the usual case, takes one
  // argument, and a rest array would be allocated for it on every add.
  add(target: Task<any, any> | PlainFunction, arg?: unknown): Promise<void> {
    const backend = this.#runner.backend;
    if (isTask(target)) {
      const checked = checkTaskArgs(target, arg);
      if (backend !== undefined) {
        const route = this.#owner.routeName;
        return this.#observe(target.name, isPromise(checked) ? checked.then(() => backend.enqueue(target, arg, { route })) : backend.enqueue(target, arg, { route }));
      }
      if (!isPromise(checked)) return this.#push(target, checked);
      return this.#observe(target.name, checked.then((value) => void this.#push(target, value)));
    }
    if (typeof target !== "function") throw new TypeError(`tasks.add() takes a task declared with task() or a function, got ${typeof target}`);
    if (backend !== undefined) {
      const name = nameOf(target);
      throw new TypeError(
        `tasks.add(${name}): a plain function can only run in this process, and this app's tasks go to its ${backend.kind} queue; ` +
          "declare it with task(import.meta.url, fn) at the top of a module so that a worker can find it",
      );
    }
    const args = arguments.length > 1 ? (Array.prototype.slice.call(arguments, 1) as unknown[]) : NO_ARGS;
    return this.#push(target, args);
  }

  /** Tasks added and not yet finished (the running one included). */
  get size(): number {
    return (this.#entries.length - this.#next) / 2 + (this.#state === "running" ? 1 : 0);
  }

  /**
   * Drops this request's tasks because it failed: its error response carries none, as in
   * Starlette. Tasks added afterwards (by a handler still running past its 504) are dropped too;
   * work that must run whatever happens belongs in `ctx.defer`. Called by dispatch.
   */
  discard(): void {
    if (this.#state === "running" || this.#state === "finished" || this.#state === "cut off") return;
    this.#state = "dropped";
    if (this.#entries.length === 0) return;
    this.#drop(this.#names(0));
    this.#entries = NO_ENTRIES;
  }

  #names(from: number): string[] {
    const names: string[] = [];
    for (let i = from; i < this.#entries.length; i += 2) names.push(nameOf(this.#entries[i] as Target));
    return names;
  }

  #drop(names: string[]): void {
    this.#owner.logger.debug({ route: this.#owner.routeName, tasks: names }, "Background tasks dropped: the request failed");
  }

  /** Stops before the next task and aborts the running one's signal; says what was cut off. */
  cutOff(reason: Error): CutOff[] {
    const route = this.#owner.routeName;
    const running = this.#state === "running" ? this.#next - 2 : this.#next;
    const cut = this.#names(running).map((task, i): CutOff => ({ route, task, state: i === 0 && this.#state === "running" ? "running" : "not started" }));
    this.#state = "cut off";
    this.#entries = NO_ENTRIES;
    this.#next = 0;
    this.#taskRun().abort(reason);
    return cut;
  }

  #push(target: Target, value: unknown): Promise<void> {
    // Most requests add one task: an array of its two slots, not an empty one grown to seventeen.
    if (this.#entries.length === 0) this.#entries = [target, value];
    else this.#entries.push(target, value);
    switch (this.#state) {
      case "new":
        this.#state = "collecting";
        this.#runner.track(this);
        this.#owner.defer(this);
        break;
      case "finished":
        // Added after the others ran (by a late teardown, say): the response is long gone, so
        // it starts soon, though never inside the caller's add().
        this.#state = "collecting";
        this.#runner.track(this);
        queueMicrotask(() => this.#start());
        break;
      case "dropped":
        this.#entries = NO_ENTRIES;
        this.#drop([nameOf(target)]);
        break;
      case "cut off":
        this.#entries = NO_ENTRIES;
        throw new Error(`Task "${nameOf(target)}" was not added: the app is shutting down`);
    }
    return ADDED;
  }

  // A failure to add that nobody awaits would be an unhandled rejection, which ends the process;
  // so it is also logged here, and the caller who does await it still gets the error.
  #observe(name: string, pending: Promise<void>): Promise<void> {
    pending.catch((error: unknown) => {
      this.#owner.logger.error({ err: error, route: this.#owner.routeName, task: name }, "A background task could not be added");
    });
    return pending;
  }

  /** Called by the request's scope once the response is done: the tasks start. @internal */
  runDeferred(): void {
    this.#start();
  }

  #start(): void {
    if (this.#state === "cut off") return;
    if (this.#state === "dropped") return this.#untrack();
    this.#state = "running";
    this.#continue();
  }

  // Synchronous while the tasks are: a promise (and its tick) is paid only for a task that
  // returns one, so a request's sync tasks cost no allocation beyond their own.
  #continue(): void {
    while (this.#next < this.#entries.length) {
      const target = this.#entries[this.#next] as Target;
      const value = this.#entries[this.#next + 1];
      this.#next += 2;
      let result: unknown;
      try {
        result = this.#runEntry(target, value);
      } catch (error) {
        this.#failed(target, error);
        continue;
      }
      if (isPromise(result)) {
        result.then(undefined, (error: unknown) => this.#failed(target, error)).then(() => {
          if (this.#state === "running") this.#continue();
        });
        return;
      }
    }
    this.#entries = NO_ENTRIES;
    this.#next = 0;
    this.#state = "finished";
    this.#untrack();
  }

  #untrack(): void {
    this.#runner.untrack(this);
  }

  #failed(target: Target, error: unknown): void {
    this.#owner.logger.error({ err: error, route: this.#owner.routeName, task: nameOf(target) }, "A background task failed");
  }

  // A plain function's value is its arguments; a declared task's, its checked argument.
  #runEntry(target: Target, value: unknown): unknown {
    if (typeof target === "function") return target(...(value as unknown[]));
    const parts = taskParts(target);
    if (parts.options.blocking === true) return runBlocking(target, value, this.#taskRun());
    return parts.fn(value, this.#taskRun());
  }

  // Made only for a task that takes it (a declared one), once per request's tasks.
  #taskRun(): BatchRun {
    return (this.#run ??= new BatchRun(this.#owner.logger));
  }
}

// What a task gets besides its argument: one per request's tasks, its signal made on first
// use because most tasks never read it. A class, not a literal with a getter, which V8 builds
// far more slowly.
class BatchRun implements TaskRun {
  readonly attempt = 1;
  readonly logger: TaskRun["logger"];
  #controller: AbortController | undefined;

  constructor(logger: TaskRun["logger"]) {
    this.logger = logger;
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  /** The shutdown cut the tasks off: the running one's signal aborts (made now if it was never read). */
  abort(reason: Error): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }
}
