// Builds the fetch Request of one call from its grouped inputs. The groups already carry wire
// names (see inputs.ts), so nothing here knows the route: this file must stay free of server
// code, it is what a browser bundle holds.

/** A call's inputs, as they arrive at runtime. */
export interface WireInput {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  cookies?: Record<string, unknown>;
  body?: unknown;
  form?: Record<string, unknown>;
  signal?: AbortSignal;
  timeout?: number;
  init?: RequestInit;
}

export interface Defaults {
  readonly headers: Record<string, string> | undefined;
  readonly timeout: number | undefined;
  readonly init: RequestInit | undefined;
}

/** `/items/{item_id}` with `{ item_id: "a b" }` gives `/items/a%20b`; `{p:path}` keeps its slashes. */
export function fillPath(template: string, values: Record<string, unknown> = {}): string {
  return template.replace(/\{([^}:]+)(:path)?[^}]*\}/g, (_, name: string, rest: string | undefined) => {
    const value = values[name];
    if (value === undefined || value === null || value === "") {
      throw new TypeError(`${template}: no value for the path parameter "${name}"`);
    }
    const text = scalar(value, `path parameter "${name}"`);
    return rest === undefined ? encodeURIComponent(text) : text.split("/").map(encodeURIComponent).join("/");
  });
}

/** A query string (with its "?"), a list repeating its key as FastAPI reads lists; undefined and null are left out. */
export function queryString(query: Record<string, unknown> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of items(value)) params.append(key, scalar(item, `query parameter "${key}"`));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function items(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((item) => item !== undefined && item !== null) : [value];
}

function scalar(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`The ${what} must be a string, number or boolean, not ${value === null ? "null" : typeof value}`);
}

function headersOf(input: WireInput, defaults: Defaults): Headers {
  const headers = new Headers(defaults.headers);
  new Headers(defaults.init?.headers).forEach((value, name) => headers.set(name, value));
  new Headers(input.init?.headers).forEach((value, name) => headers.set(name, value));
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    const list = items(value);
    if (list.length === 0) continue;
    headers.delete(name);
    for (const item of list) headers.append(name, scalar(item, `header "${name}"`));
  }
  const cookies = Object.entries(input.cookies ?? {}).flatMap(([name, value]) =>
    items(value).map((item) => `${name}=${encodeURIComponent(scalar(item, `cookie "${name}"`))}`),
  );
  if (cookies.length > 0) headers.set("cookie", [headers.get("cookie"), ...cookies].filter(Boolean).join("; "));
  return headers;
}

/** JSON for `body`; for `form`, multipart when it holds a file (a Blob), urlencoded otherwise. */
function bodyOf(input: WireInput, headers: Headers): BodyInit | undefined {
  if (input.body !== undefined) {
    if (input.form !== undefined) throw new TypeError("A call sends either a JSON body or a form, not both");
    headers.set("content-type", "application/json");
    return JSON.stringify(input.body);
  }
  if (input.form === undefined) return undefined;
  const fields = Object.entries(input.form).flatMap(([name, value]) => items(value).map((item) => [name, item] as const));
  if (fields.some(([, value]) => value instanceof Blob)) {
    // fetch sets the multipart content-type with its boundary.
    headers.delete("content-type");
    const data = new FormData();
    for (const [name, value] of fields) data.append(name, value instanceof Blob ? value : scalar(value, `form field "${name}"`));
    return data;
  }
  headers.set("content-type", "application/x-www-form-urlencoded");
  return new URLSearchParams(fields.map(([name, value]) => [name, scalar(value, `form field "${name}"`)])).toString();
}

function signalOf(input: WireInput, defaults: Defaults): AbortSignal | undefined {
  const timeout = input.timeout ?? defaults.timeout;
  const signals = [input.signal ?? input.init?.signal ?? defaults.init?.signal, timeout === undefined ? undefined : AbortSignal.timeout(timeout)]
    .filter((signal): signal is AbortSignal => signal != null);
  return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
}

/** The Request of `method template` with `input`, against `base` (an origin, maybe with a path). */
export function buildRequest(base: string, method: string, template: string, input: WireInput, defaults: Defaults): Request {
  const url = base + fillPath(template, input.path) + queryString(input.query);
  const headers = headersOf(input, defaults);
  const body = bodyOf(input, headers);
  const signal = signalOf(input, defaults);
  return new Request(url, { ...defaults.init, ...input.init, method, headers, body: body ?? null, signal: signal ?? null });
}
