/**
 * What an app sets up when it starts and releases when it stops (a connection pool, a cache),
 * as one generator: the code before `yield` is startup, the yielded object is the app's typed
 * `state`, the code after it is shutdown. FastAPI's lifespan, in TypeScript.
 *
 * @example
 * const app = new Spry({
 *   async *lifespan() {
 *     const pool = await createPool();
 *     yield { pool };
 *     await pool.end();
 *   },
 * });
 * const db = depends(() => app.state.pool);
 */
export type Lifespan<State extends object> = () => AsyncGenerator<State, void, unknown> | Generator<State, void, unknown>;

/**
 * What a lifespan yields, for typing `ctx.app.state` everywhere (docs/app.md):
 * `declare module "spry" { interface AppState extends LifespanState<typeof lifespan> {} }`.
 */
export type LifespanState<L> = L extends () => AsyncGenerator<infer S, void, unknown> | Generator<infer S, void, unknown> ? S : never;

type Hook = () => unknown;

/** Runs an app's lifespan and its startup and shutdown hooks, each at most once per start. */
export class LifespanRunner<State extends object> {
  readonly #lifespan: Lifespan<State> | undefined;
  readonly #onStartup: Hook[] = [];
  readonly #onShutdown: Hook[] = [];
  #running: AsyncGenerator<State, void, unknown> | Generator<State, void, unknown> | undefined;
  #state: State | undefined;
  #phase: "stopped" | "starting" | "started" = "stopped";
  #starting: Promise<void> | undefined;

  constructor(lifespan: Lifespan<State> | undefined) {
    this.#lifespan = lifespan;
  }

  onStartup(hook: Hook): void {
    this.#onStartup.push(hook);
  }

  onShutdown(hook: Hook): void {
    this.#onShutdown.push(hook);
  }

  get started(): boolean {
    return this.#phase === "started";
  }

  get state(): State {
    if (this.#phase !== "started") {
      throw new Error(
        "app.state was read before the app started, so its lifespan has not run: `spry run`, serve() and app.runWith(server) start it; " +
          "in a test, open the client with `await TestClient.open(app)` (and close it after) rather than `new TestClient(app)`, " +
          "or call `await app.startup()` first",
      );
    }
    return this.#state ?? ({} as State);
  }

  /** The startup under way, if one is: what a request arriving meanwhile waits for. */
  get starting(): Promise<void> | undefined {
    return this.#starting;
  }

  startup(): Promise<void> {
    if (this.#phase === "starting") return this.#starting!;
    if (this.#phase === "started") return Promise.resolve();
    this.#phase = "starting";
    this.#starting = this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    try {
      if (this.#lifespan !== undefined) {
        this.#running = this.#lifespan();
        const step = await this.#running.next();
        if (step.done === true) throw new Error("The lifespan returned without yielding its state");
        this.#state = step.value;
      }
      for (const hook of this.#onStartup) await hook();
      this.#phase = "started";
    } catch (error) {
      this.#phase = "stopped";
      throw error;
    }
  }

  /** Shutdown hooks in reverse order of registration, then the lifespan's code after `yield`. */
  async shutdown(): Promise<void> {
    if (this.#phase !== "started") return;
    this.#phase = "stopped";
    const errors: unknown[] = [];
    for (const hook of [...this.#onShutdown].reverse()) {
      try {
        await hook();
      } catch (error) {
        errors.push(error);
      }
    }
    try {
      await this.#running?.next();
    } catch (error) {
      errors.push(error);
    }
    this.#running = undefined;
    this.#state = undefined;
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "Several shutdown steps failed");
  }
}
