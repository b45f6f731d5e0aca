import type { Dependency } from "./dependency.ts";

/**
 * `app.dependencyOverrides`: a Map from a dependency to its replacement, for tests. Routes
 * re-plan their dependency graph on their next request after it changes, so a replacement may
 * declare inputs of its own.
 *
 * @example
 * app.dependencyOverrides.set(currentUser, depends(() => ({ name: "test user" })));
 * // ... requests through TestClient ...
 * app.dependencyOverrides.clear();
 */
export class DependencyOverrides extends Map<Dependency<any>, Dependency<any>> {
  /** Bumped on every change; a route compares it with the version it was planned for. */
  version = 0;

  override set(dependency: Dependency<any>, replacement: Dependency<any>): this {
    this.version++;
    return super.set(dependency, replacement);
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
