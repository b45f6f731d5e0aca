import { parseSetCookie } from "cookie";

interface Stored {
  readonly value: string;
  readonly path: string;
  /** When it expires, in ms since the epoch; undefined for a session cookie. */
  readonly expires: number | undefined;
}

/**
 * The cookies a TestClient keeps between requests, as a browser (or httpx's client) does:
 * each `Set-Cookie` of a response is stored, replaced, or removed (`Max-Age=0`, an `Expires`
 * in the past), and sent back with the later requests whose path it covers. One client is one
 * browser: one jar for the test server's one host.
 */
export class CookieJar {
  readonly #cookies = new Map<string, Stored>();

  /** A cookie's value, if the jar holds it and it has not expired. */
  get(name: string): string | undefined {
    const stored = this.#cookies.get(name);
    return stored === undefined || expired(stored) ? undefined : stored.value;
  }

  /** Sets a cookie by hand, for every path, as a test logging in by cookie would. */
  set(name: string, value: string): void {
    this.#cookies.set(name, { value, path: "/", expires: undefined });
  }

  delete(name: string): boolean {
    return this.#cookies.delete(name);
  }

  clear(): void {
    this.#cookies.clear();
  }

  /** Every live cookie by name. */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, stored] of this.#cookies) if (!expired(stored)) out[name] = stored.value;
    return out;
  }

  /** Stores what a response's `Set-Cookie` headers say. */
  store(setCookies: readonly string[], requestPath: string): void {
    for (const header of setCookies) {
      const cookie = parseSetCookie(header);
      if (cookie.name === "") continue;
      const expires = cookie.maxAge !== undefined ? Date.now() + cookie.maxAge * 1000 : cookie.expires?.getTime();
      if (expires !== undefined && expires <= Date.now()) {
        this.#cookies.delete(cookie.name);
        continue;
      }
      this.#cookies.set(cookie.name, { value: cookie.value ?? "", path: cookie.path ?? defaultPath(requestPath), expires });
    }
  }

  /** The cookies for a request to `path`, before the request's own (which win). */
  forPath(path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, stored] of this.#cookies) {
      if (!expired(stored) && pathMatches(path, stored.path)) out[name] = stored.value;
    }
    return out;
  }
}

function expired(stored: Stored): boolean {
  return stored.expires !== undefined && stored.expires <= Date.now();
}

// RFC 6265 5.1.4: the default path is the request path up to its last "/".
function defaultPath(requestPath: string): string {
  const path = requestPath.split("?")[0]!;
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  const path = requestPath.split("?")[0]!;
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || path[cookiePath.length] === "/";
}
