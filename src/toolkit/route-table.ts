import FindMyWay from "find-my-way";
import { NO_PARAMS, type RouteInfo, type SpryRequest } from "./request.ts";
import type { ResponseLike } from "./response.ts";
import type { PathTemplate } from "./path-template.ts";
import type { EndpointInto } from "./endpoint-into.ts";

export type { EndpointInto, Sink } from "./endpoint-into.ts";

/**
 * What runs for a matched route: the request in, its response out (synchronously when it can).
 * `into`, where the endpoint has one, is the same work for the error layers of an app without
 * middleware (routing.ts, server-errors.ts).
 */
export interface Endpoint<Request extends SpryRequest<any> = SpryRequest<any>> {
  (request: Request): ResponseLike | Promise<ResponseLike>;
  into?: EndpointInto<Request> | undefined;
}

export interface RouteEntry {
  readonly info: RouteInfo;
  readonly template: PathTemplate;
  readonly endpoint: Endpoint;
  // endpoint.into, copied here so that routing reads it from one shape for every route: the
  // endpoints themselves are functions of two shapes, with `into` and without.
  readonly into: EndpointInto<SpryRequest<any>> | undefined;
}

export interface Match {
  readonly entry: RouteEntry;
  readonly params: Record<string, string | undefined>;
}

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] as const;
export type Method = (typeof METHODS)[number];

/**
 * Method and path to endpoint, on find-my-way (Fastify's radix-tree router): static routes,
 * parameters and a trailing wildcard, with a cap on parameter length that makes an
 * over-long parameter a plain miss.
 */
export class RouteTable {
  readonly #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  /** Router paths whose HEAD route is the one a GET route added, which an explicit HEAD replaces. */
  readonly #automaticHead = new Set<string>();
  // Routes without parameters whose path reads the same percent-decoded, by path then method:
  // for such a path find-my-way's answer is always that route (a static route wins over any
  // parametric one), so a Map lookup gives it without a walk of the tree and its decoding
  // scan, which took 8-11% of `/fast_task/`'s samples on Bun (bench/HISTORY.md, "Bun fast").
  // Each is kept as its match, made once: a static route's lookup allocates nothing (its
  // parameters are the shared empty NO_PARAMS, which a request copies only if its code reads them).
  readonly #static = new Map<string, Map<string, Match>>();
  // The paths of #static by their length and last character (pathEnd), each with its map of
  // #static: a request path is found by that number and then compared with the few paths that
  // share it, never hashed. A request's path is a new string each time, so a lookup by it in
  // #static hashed it every time (about 230 instructions of a `/fast_task/` request, and the
  // Map's probe 160 more, callgrind) to find what the comparison finds; a path matching no
  // number was already spared (about 400 instructions of a `/slow_task/42` request). Paths are
  // never taken out of #static, so neither are these.
  readonly #byEnd = new Map<number, StaticPath[]>();

  constructor(maxParamLength: number) {
    this.#router = FindMyWay({ maxParamLength, caseSensitive: true, ignoreTrailingSlash: false });
  }

  /**
   * Registers `path` for `method`. A GET route answers HEAD too, until a HEAD route is
   * declared for the same path, before or after it: the explicit one wins either way.
   */
  add(method: Method, template: PathTemplate, endpoint: Endpoint, options: { bodyLimit?: number | undefined; timeout?: number | undefined } = {}): RouteEntry {
    const entry: RouteEntry = { info: { method, path: template.path, bodyLimit: options.bodyLimit, timeout: options.timeout }, template, endpoint, into: endpoint.into };
    const path = template.routerPath;
    const replacesAutomatic = method === "HEAD" && this.#automaticHead.has(path);
    if (this.#has(method, path) && !replacesAutomatic) {
      throw new Error(`Route ${method} ${template.path} is already registered`);
    }
    if (replacesAutomatic) {
      this.#router.off("HEAD", path);
      this.#static.get(template.path)?.delete("HEAD");
      this.#automaticHead.delete(path);
    }
    this.#on(method, template, entry);
    if (method === "GET" && !this.#has("HEAD", path)) {
      this.#on("HEAD", template, entry);
      this.#automaticHead.add(path);
    }
    return entry;
  }


  find(method: string, path: string): Match | null {
    const paths = this.#byEnd.get(pathEnd(path));
    if (paths !== undefined) {
      for (let i = 0; i < paths.length; i++) {
        const known = paths[i]!;
        if (known.path === path) return known.methods.get(method) ?? this.#tree(method, path);
      }
    }
    return this.#tree(method, path);
  }

  #tree(method: string, path: string): Match | null {
    const found = this.#router.find(method as FindMyWay.HTTPMethod, path);
    if (found === null) return null;
    const entry = found.store as RouteEntry;
    const params = found.params;
    const wildcard = entry.template.wildcard;
    for (const name of entry.template.params) {
      // find-my-way lets a parameter match an empty segment; FastAPI's `{name}` needs at
      // least one character, so "/items/" is not "/items/{item_id}".
      if (name !== wildcard && params[name] === "") return null;
    }
    if (wildcard !== undefined) params[wildcard] = params["*"];
    return { entry, params };
  }

  /**
   * Every path without parameters and the live map of its routes by method (an explicit HEAD
   * route declared later replaces the automatic one in the same map): what a host's own router
   * can take (`app.bun`), since for such a path a lookup always answers with this map's route.
   */
  staticRoutes(): IterableIterator<[string, ReadonlyMap<string, Match>]> {
    return this.#static.entries();
  }

  /** Methods that would match `path`, for the Allow header of a 405. */
  allowedMethods(path: string): Method[] {
    return METHODS.filter((method) => this.find(method, path) !== null);
  }

  #has(method: string, routerPath: string): boolean {
    return this.#router.hasRoute(method as FindMyWay.HTTPMethod, routerPath);
  }

  #on(method: string, template: PathTemplate, entry: RouteEntry): void {
    this.#router.on(method as FindMyWay.HTTPMethod, template.routerPath, noop, entry);
    if (template.params.length > 0 || !PLAIN_PATH.test(template.path)) return;
    let methods = this.#static.get(template.path);
    if (methods === undefined) {
      this.#static.set(template.path, (methods = new Map()));
      const end = pathEnd(template.path);
      const known = { path: template.path, methods };
      const paths = this.#byEnd.get(end);
      if (paths === undefined) this.#byEnd.set(end, [known]);
      else paths.push(known);
    }
    methods.set(method, { entry, params: NO_PARAMS });
  }
}

/** A path of RouteTable's #static, with its live map of routes by method. */
interface StaticPath {
  readonly path: string;
  readonly methods: Map<string, Match>;
}

// Characters that no decoding changes and that find-my-way gives no meaning (":" and "*" it does).
const PLAIN_PATH = /^[A-Za-z0-9\-._~/]*$/;

// A number that two equal paths share: the length and the last character's low seven bits.
function pathEnd(path: string): number {
  return path.length * 128 + (path.charCodeAt(path.length - 1) & 127);
}

// find-my-way requires a handler; spry keeps its own endpoint in the route's store.
function noop(): void {}
