import type { Context } from "./context.ts";
import { HTTPException } from "../common/http-exception.ts";

/** Answers for an error: the response to send instead of spry's default. */
export type ExceptionHandler<E = any> = (error: E, ctx: Context) => Response | Promise<Response>;

export type ErrorClass<E = unknown> = abstract new (...args: any[]) => E;

/**
 * Handlers by status code and by error class, looked up as Starlette does: an HTTPException's
 * status first, then the error's class and its ancestors, nearest first; any other error
 * falls to a 500 handler if there is one.
 */
export class ExceptionHandlers {
  readonly #byStatus = new Map<number, ExceptionHandler>();
  readonly #byClass = new Map<Function, ExceptionHandler>();

  add(key: number | ErrorClass, handler: ExceptionHandler): void {
    if (typeof key === "number") this.#byStatus.set(key, handler);
    else this.#byClass.set(key, handler);
  }

  get size(): number {
    return this.#byStatus.size + this.#byClass.size;
  }

  find(error: unknown): ExceptionHandler | undefined {
    if (error instanceof HTTPException) {
      const byStatus = this.#byStatus.get(error.status);
      if (byStatus !== undefined) return byStatus;
    }
    if (error !== null && typeof error === "object") {
      for (let proto = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
        const handler = this.#byClass.get(proto.constructor);
        if (handler !== undefined) return handler;
      }
    }
    return error instanceof HTTPException ? undefined : this.#byStatus.get(500);
  }
}
