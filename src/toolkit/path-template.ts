/**
 * FastAPI path templates: `/items/{item_id}` and `/files/{file_path:path}`.
 * Compiled to find-my-way's syntax (`:item_id`, `*`) once, at registration.
 */
export interface PathTemplate {
  /** The template as the user wrote it, used in logs and OpenAPI. */
  readonly path: string;
  /** The same route in find-my-way's syntax. */
  readonly routerPath: string;
  /** Parameter names in order of appearance. */
  readonly params: readonly string[];
  /** The `{name:path}` parameter, which find-my-way reports as `*`. */
  readonly wildcard: string | undefined;
}

const PARAM = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}/g;

export function parsePathTemplate(path: string): PathTemplate {
  if (!path.startsWith("/")) throw new Error(`Route path must start with "/": ${JSON.stringify(path)}`);
  const params: string[] = [];
  let wildcard: string | undefined;
  let routerPath = "";
  let last = 0;
  for (const match of path.matchAll(PARAM)) {
    const [whole, name, converter] = match as unknown as [string, string, string | undefined];
    const at = match.index!;
    routerPath += escapeStatic(path.slice(last, at));
    last = at + whole.length;
    if (params.includes(name)) throw new Error(`Path parameter "${name}" appears twice in ${path}`);
    params.push(name);
    if (converter === "path") {
      if (last !== path.length) throw new Error(`{${name}:path} must end the path: ${path}`);
      wildcard = name;
      routerPath += "*";
    } else if (converter === undefined) {
      routerPath += `:${name}`;
    } else {
      throw new Error(`Unknown path converter "${converter}" in ${path}; use {name} or {name:path}`);
    }
  }
  const rest = path.slice(last);
  if (/[{}]/.test(rest)) throw new Error(`Malformed path parameter in ${path}`);
  routerPath += escapeStatic(rest);
  return { path, routerPath, params, wildcard };
}

// find-my-way reads ":" as a parameter and "*" as a wildcard; in a FastAPI template they are
// literal characters.
function escapeStatic(segment: string): string {
  if (segment.includes("*")) throw new Error(`"*" is not allowed in a route path; use {name:path}`);
  return segment.replaceAll(":", "::");
}
