import type { Inputs } from "./dependency.ts";
import { dependencyInfo, type Dependency, type DependencyInfo } from "./dependency.ts";

/** Replacements for dependencies, as tests install them (`app.dependencyOverrides`). */
export type Overrides = ReadonlyMap<Dependency<any>, Dependency<any>>;

/** One dependency to run for a request. Its inputs are owner `index + 1` of the input plan. */
export interface Node {
  readonly info: DependencyInfo;
  /** Sub-dependencies by input name: the node whose result that input receives. */
  readonly subs: readonly (readonly [name: string, node: number])[];
  /** The scopes required of it: its use's and those of every use above it (FastAPI's SecurityScopes). */
  readonly scopes: readonly string[];
}

/** The dependencies of one route, planned once: every node before any node that needs it. */
export interface Graph {
  readonly nodes: readonly Node[];
  /** The route's own dependency inputs, by name. */
  readonly routeSubs: readonly (readonly [name: string, node: number])[];
  /** Each owner's declared inputs, for the input plan: the route's, then each node's. */
  readonly owners: readonly Inputs[];
}

/**
 * Plans a route's dependency graph: overrides applied, each cached dependency once however
 * many ask for it (an `uncached` use gets a node of its own), sub-dependencies before their
 * dependents, and `extras` (app, router and route `dependencies`) run for their effects.
 * A cycle throws here, when the route is declared, naming every dependency on it.
 */
export function planGraph(routeInputs: Inputs, extras: readonly Dependency<unknown>[], overrides: Overrides): Graph {
  const nodes: Node[] = [];
  // By dependency, then by the scopes it is required with ("" where scopes change nothing).
  const shared = new Map<Dependency<unknown>, Map<string, number>>();
  const path: string[] = [];
  const visiting = new Set<Dependency<unknown>>();
  const scoped = new Map<Dependency<unknown>, boolean>();

  const resolve = (use: DependencyInfo): DependencyInfo => {
    const replacement = overrides.get(use.original);
    return replacement === undefined ? use : { ...dependencyInfo(replacement)!, cache: use.cache, scopes: use.scopes, original: use.original };
  };

  // As FastAPI keys its cache: the scopes split a dependency into several nodes only when
  // they can change what it does (it is a security scheme, reads them, or adds to them, or
  // one below it does), so a database session under two scope sets is still opened once.
  const usesScopes = (use: DependencyInfo): boolean => {
    if (use.scopes !== undefined && use.scopes.length > 0) return true;
    let answer = scoped.get(use.original);
    if (answer === undefined) {
      scoped.set(use.original, false); // a cycle: visit() reports it
      const info = resolve(use);
      answer = info.security !== undefined || info.fromScopes !== undefined || usesOf(info.inputs).some(usesScopes);
      scoped.set(use.original, answer);
    }
    return answer;
  };

  const visit = (use: DependencyInfo, above: readonly string[]): number => {
    const original = use.original;
    const scopes = use.scopes === undefined ? above : [...new Set([...above, ...use.scopes])];
    const key = usesScopes(use) ? [...scopes].sort().join(" ") : "";
    const known = shared.get(original)?.get(key);
    if (use.cache && known !== undefined) return known;
    if (visiting.has(original)) {
      throw new Error(`Dependency cycle: ${[...path, use.name].join(" -> ")}`);
    }
    let info = resolve(use);
    visiting.add(original);
    path.push(info.name);
    const subs = subsOf(info.inputs, (sub) => visit(sub, scopes));
    path.pop();
    visiting.delete(original);
    if (info.fromScopes !== undefined) {
      const value = info.fromScopes(scopes);
      info = { ...info, fn: () => value };
    }
    nodes.push({ info, subs, scopes });
    const index = nodes.length - 1;
    if (use.cache) {
      if (!shared.has(original)) shared.set(original, new Map());
      shared.get(original)!.set(key, index);
    }
    return index;
  };

  for (const extra of extras) {
    const info = dependencyInfo(extra);
    if (info === undefined) throw new Error(`\`dependencies\` holds something that is not a dependency (make one with depends()): ${String(extra)}`);
    visit(info, []);
  }
  const routeSubs = subsOf(routeInputs, (use) => visit(use, []));
  return { nodes, routeSubs, owners: [routeInputs, ...nodes.map((n) => n.info.inputs)] };
}

function usesOf(inputs: Inputs): DependencyInfo[] {
  return Object.values(inputs).map(dependencyInfo).filter((info) => info !== undefined);
}

function subsOf(inputs: Inputs, visit: (use: DependencyInfo) => number): (readonly [string, number])[] {
  const subs: (readonly [string, number])[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    const info = dependencyInfo(value);
    if (info !== undefined) subs.push([name, visit(info)]);
  }
  return subs;
}
