import type { Context } from "../context.ts";
import { inPool } from "../../threads/threaded.ts";
import type { InferInputs } from "../types.ts";
import { kDependency, type Dependency, type DependencyFn, type DependencyInfo, type DependencyOptions, type Inputs, type Resolved } from "./dependency.ts";

/**
 * Declares a dependency: a function that declares its inputs exactly as a route does (path,
 * query, header, cookie and body inputs, and other dependencies) and returns a value, which a
 * route (or another dependency) receives by naming the dependency among its inputs. It runs
 * once per request however many ask for it. A generator function owns a resource: it yields
 * the value, and the code after `yield` is its teardown, run in reverse order of setup, when
 * the handler throws too, and when the client disconnects.
 *
 * @example
 * const pagination = depends({ skip: z.int().default(0), limit: z.int().max(100).default(10) }, (page) => page);
 * const db = depends(async function* () {
 *   const conn = await pool.connect();
 *   try { yield conn; } finally { conn.release(); }
 * });
 * app.get("/items/", { page: pagination, db }, ({ page, db }) => db.items(page));
 */
export function depends<R>(fn: (inputs: {}, ctx: Context) => R, options?: DependencyOptions): Dependency<Resolved<R>>;
export function depends<const I extends Inputs, R>(
  inputs: I,
  fn: (inputs: InferInputs<"", I>, ctx: Context) => R,
  options?: DependencyOptions,
): Dependency<Resolved<R>, I>;
export function depends(...args: unknown[]): Dependency<unknown> {
  const [inputs, fn, options] = (typeof args[0] === "function" ? [{}, args[0], args[1]] : args) as [Inputs, DependencyFn, DependencyOptions | undefined];
  if (typeof fn !== "function") throw new TypeError("depends() needs a function");
  const dependency = {} as { [kDependency]: DependencyInfo };
  dependency[kDependency] = {
    inputs,
    // A `threaded` function runs in the worker thread pool with its inputs (overrides too: they are dependencies).
    fn: inPool(fn),
    scope: options?.scope ?? "request",
    name: options?.name ?? (fn.name || "anonymous dependency"),
    cache: true,
    original: dependency,
    security: options?.security,
  };
  return dependency;
}
