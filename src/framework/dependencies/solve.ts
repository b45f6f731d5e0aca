import { isPromise } from "../../common/is-promise.ts";
import type { Context } from "../context.ts";
import type { Values } from "../inputs/read.ts";
import type { Scope } from "./dependency.ts";
import type { Graph } from "./graph.ts";

type Resource = (Generator<unknown, unknown, unknown> | AsyncGenerator<unknown, unknown, unknown>) & { readonly scope: Scope };

/**
 * One request's dependencies: their results, and the resources they hold, torn down in reverse
 * order of setup. "function" teardowns run when the handler is done, before the response;
 * "request" teardowns after the response has been sent (or the client has gone), through
 * ctx.defer. A teardown receives the handler's error, if any, at its `yield`.
 */
export class Solved {
  readonly results: unknown[];
  /** Made with the first generator: most requests' dependencies are plain functions. */
  #held: Resource[] | undefined;
  #error: unknown = undefined;
  #failed = false;
  #deferred = false;

  constructor(size: number) {
    this.results = new Array(size);
  }

  /**
   * Runs every node of the graph in order, each with its inputs and its sub-dependencies'
   * results. Synchronous until a dependency returns a promise or an async generator, so a
   * graph of plain functions costs no await at all.
   */
  setup(graph: Graph, values: Values, ctx: Context, from = 0): void | Promise<void> {
    const { nodes } = graph;
    for (let i = from; i < nodes.length; i++) {
      const node = nodes[i]!;
      const args = values[i + 1]!;
      const subs = node.subs;
      for (let s = 0; s < subs.length; s++) args[subs[s]![0]] = this.results[subs[s]![1]];
      const result = node.info.fn(args, ctx);
      if (isGenerator(result)) {
        const generator = result as Resource;
        (generator as { scope: Scope }).scope = node.info.scope;
        this.#hold(generator, ctx);
        const step = generator.next();
        if (isPromise(step)) return step.then((s) => this.#afterYield(graph, values, ctx, i, s.done === true, s.value));
        this.#yielded(i, step.done === true, step.value);
      } else if (isPromise(result)) {
        return result.then((value) => {
          this.results[i] = value;
          return this.setup(graph, values, ctx, i + 1);
        });
      } else {
        this.results[i] = result;
      }
    }
  }

  #afterYield(graph: Graph, values: Values, ctx: Context, i: number, done: boolean, value: unknown): void | Promise<void> {
    this.#yielded(i, done, value);
    return this.setup(graph, values, ctx, i + 1);
  }

  #yielded(i: number, done: boolean, value: unknown): void {
    if (done) throw new Error(`A dependency returned without yielding a value`);
    this.results[i] = value;
  }

  /** Records that the handler (or a dependency) failed, for the teardowns to see. */
  recordError(error: unknown): void {
    this.#failed = true;
    this.#error = error;
  }

  /**
   * Tears down the "function" scope now, and throws the error the request ends with, if any:
   * a teardown that throws replaces the handler's. Synchronous when nothing is to be released.
   */
  releaseFunctionScope(): void | Promise<void> {
    if (!holdsFunctionScope(this.#held)) {
      if (this.#failed) throw this.#error;
      return;
    }
    return this.#release("function").then(() => {
      if (this.#failed) throw this.#error;
    });
  }

  #hold(generator: Resource, ctx: Context): void {
    (this.#held ??= []).push(generator);
    if (generator.scope === "request" && !this.#deferred) {
      this.#deferred = true;
      ctx.scope.defer(() => this.#release("request"));
    }
  }

  async #release(scope: Scope): Promise<void> {
    const afterResponse: unknown[] = [];
    const held = this.#held ?? [];
    for (let i = held.length - 1; i >= 0; i--) {
      const generator = held[i]!;
      if (generator.scope !== scope) continue;
      held.splice(i, 1);
      try {
        const step = this.#failed ? await generator.throw(this.#error) : await generator.next();
        if (step.done !== true) {
          await generator.return(undefined);
          throw new Error("A dependency yielded more than once");
        }
      } catch (error) {
        // The teardown re-threw the error it was given, or threw its own: the latter wins.
        if (!(this.#failed && error === this.#error)) {
          // After the response nothing can change it: every teardown still runs, and the
          // errors are logged (by ctx.defer) once they all have.
          if (scope === "request") afterResponse.push(error);
          else this.recordError(error);
        }
      }
    }
    if (afterResponse.length === 1) throw afterResponse[0];
    if (afterResponse.length > 1) throw new AggregateError(afterResponse, "Several dependency teardowns failed");
  }
}

// A loop, not `held.some(...)`: no closure per request for the usual answer, none held.
function holdsFunctionScope(held: readonly Resource[] | undefined): boolean {
  if (held === undefined) return false;
  for (let i = 0; i < held.length; i++) if (held[i]!.scope === "function") return true;
  return false;
}

function isGenerator(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function" &&
    (Symbol.asyncIterator in value || Symbol.iterator in value)
  );
}
