import type { Context } from "../context.ts";
import { dependencyInfo, type Dependency } from "./dependency.ts";
import { depends } from "./depends.ts";

/** What a replacement function may return for a dependency of type T: T, or a promise or generator of it. */
export type Provides<T> = T | Promise<T> | Generator<T, unknown, unknown> | AsyncGenerator<T, unknown, unknown>;

/**
 * `app.dependencyOverrides`: a Map from a dependency to its replacement, for tests, as
 * FastAPI's `app.dependency_overrides`. The replacement is a plain function (it receives the
 * request's context), or a `depends()` with inputs of its own; either way it must give what
 * the dependency gives, which the type checker holds it to. Routes re-plan their dependency
 * graph on their next request after a change.
 *
 * @example
 * app.dependencyOverrides.set(currentUser, () => ({ name: "test user" }));
 * // ... requests through TestClient ...
 * app.dependencyOverrides.clear();
 */
export class DependencyOverrides extends Map<Dependency<any>, Dependency<any>> {
  /** Bumped on every change; a route compares it with the version it was planned for. */
  version = 0;

  override set<T>(dependency: Dependency<T>, replacement: NoInfer<Dependency<T> | ((inputs: {}, ctx: Context) => Provides<T>)>): this {
    // Refused here, where the test set it up, rather than as a 500 on the first request.
    if (dependencyInfo(dependency) === undefined) {
      throw new TypeError(`dependencyOverrides.set(): the first argument is not a dependency (made with depends()): ${String(dependency)}`);
    }
    const info = dependencyInfo(replacement);
    if (info === undefined && typeof replacement !== "function") {
      throw new TypeError(`dependencyOverrides.set(): the replacement for ${dependencyInfo(dependency)!.name} must be a function or a dependency, got ${typeof replacement}`);
    }
    const use = info === undefined ? depends(replacement as (inputs: {}, ctx: Context) => unknown) : (replacement as Dependency<T>);
    this.version++;
    return super.set(dependency, use);
  }

  override delete(dependency: Dependency<any>): boolean {
    this.version++;
    return super.delete(dependency);
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}
