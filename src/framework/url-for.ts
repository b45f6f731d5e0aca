import { parsePathTemplate, type PathTemplate } from "../toolkit/path-template.ts";
import type { RouteDefinition } from "./router.ts";

/** A path parameter's value for urlPathFor(): written as text, then percent-encoded. */
export type PathParamValue = string | number | bigint | boolean;

/** No route has the name asked for with exactly the parameters given (Starlette's NoMatchFound). */
export class NoMatchFound extends Error {
  override name = "NoMatchFound";
}

interface Named {
  readonly template: PathTemplate;
  readonly params: ReadonlySet<string>;
}

/** A route's name: its `name` option, else its handler's function name, as FastAPI names routes. */
export function routeName(route: RouteDefinition): string | undefined {
  return route.options.name ?? (route.handler.name === "" ? undefined : route.handler.name);
}

/**
 * The routes of one app by name, for links to them: FastAPI's `app.url_path_for`. Built from
 * the app's routes on first use after a change (the app drops it when a route is added).
 */
export class RouteNames {
  readonly #byName = new Map<string, Named[]>();

  constructor(routes: readonly RouteDefinition[]) {
    for (const route of routes) {
      const name = routeName(route);
      if (name === undefined) continue;
      const template = parsePathTemplate(route.path);
      const list = this.#byName.get(name) ?? [];
      // GET and HEAD, or GET and POST, of one path: the same link.
      if (!list.some((named) => named.template.path === template.path)) list.push({ template, params: new Set(template.params) });
      this.#byName.set(name, list);
    }
  }

  /**
   * The path of the route named `name` with `params` put in, percent-encoded, without the app's
   * root path. As in Starlette, the parameters must be exactly the route's; among routes of one
   * name, the first declared that takes them wins. Throws NoMatchFound otherwise.
   */
  pathFor(name: string, params: Readonly<Record<string, PathParamValue>> = {}): string {
    const given = Object.keys(params);
    const candidates = this.#byName.get(name);
    const named = candidates?.find((c) => c.params.size === given.length && given.every((key) => c.params.has(key)));
    if (named === undefined) {
      const takes = candidates === undefined ? "there is no route of that name" : `it takes ${candidates.map((c) => describe([...c.params])).join(", or ")}`;
      throw new NoMatchFound(`No route named ${JSON.stringify(name)} takes ${describe(given)}: ${takes}`);
    }
    const { template } = named;
    const path = template.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::path)?\}/g, (_, key: string) => {
      const text = String(params[key]);
      // {name:path} keeps its slashes, each segment encoded; any other parameter is one segment.
      if (key === template.wildcard) return text.split("/").map(encodeURIComponent).join("/");
      if (text === "") throw new NoMatchFound(`${name}: the path parameter ${key} must not be empty`);
      return encodeURIComponent(text);
    });
    // A {name:path} value starting with "/" at the template's start would make "//host/...",
    // which a browser following the link reads as another site; "%2F" routes back the same.
    return path.startsWith("//") ? `/%2F${path.slice(2)}` : path;
  }
}

function describe(keys: readonly string[]): string {
  return keys.length === 0 ? "no parameters" : `the parameters ${keys.join(", ")}`;
}
