import type { Inputs } from "../inputs/plan.ts";
import { dependencyInfo, type Dependency, type DependencyInfo } from "./dependency.ts";

/** Replacements for dependencies, as tests install them (`app.dependencyOverrides`). */
export type Overrides = ReadonlyMap<Dependency<any>, Dependency<any>>;

/** One dependency to run for a request. Its inputs are owner `index + 1` of the input plan. */
export interface Node {
  readonly info: DependencyInfo;
  /** Sub-dependencies by input name: the node whose result that input receives. */
  readonly subs: readonly (readonly [name: string, node: number])[];
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
  const shared = new Map<Dependency<unknown>, number>();
  const path: string[] = [];
  const visiting = new Set<Dependency<unknown>>();

  const visit = (use: DependencyInfo): number => {
    const original = use.original;
    if (use.cache && shared.has(original)) return shared.get(original)!;
    if (visiting.has(original)) {
      throw new Error(`Dependency cycle: ${[...path, use.name].join(" -> ")}`);
    }
    const replacement = overrides.get(original);
    const info: DependencyInfo = replacement === undefined ? use : { ...dependencyInfo(replacement)!, cache: use.cache, original };
    visiting.add(original);
    path.push(info.name);
    const subs = subsOf(info.inputs, visit);
    path.pop();
    visiting.delete(original);
    nodes.push({ info, subs });
    const index = nodes.length - 1;
    if (use.cache) shared.set(original, index);
    return index;
  };

  for (const extra of extras) visit(dependencyInfo(extra)!);
  const routeSubs = subsOf(routeInputs, visit);
  return { nodes, routeSubs, owners: [routeInputs, ...nodes.map((n) => n.info.inputs)] };
}

function subsOf(inputs: Inputs, visit: (use: DependencyInfo) => number): (readonly [string, number])[] {
  const subs: (readonly [string, number])[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    const info = dependencyInfo(value);
    if (info !== undefined) subs.push([name, visit(info)]);
  }
  return subs;
}
