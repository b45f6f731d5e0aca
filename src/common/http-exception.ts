import { statusPhrase } from "./status.ts";

/**
 * Raise from a handler or dependency to answer with an error status.
 * The body is `{"detail": detail}`, as in FastAPI; `detail` defaults to the status phrase.
 *
 * @example
 * if (!item) throw new HTTPException(404, "Item not found");
 * throw new HTTPException(401, "Not authenticated", { "WWW-Authenticate": "Bearer" });
 */
export class HTTPException extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, detail?: unknown, headers?: Record<string, string>) {
    const phrase = statusPhrase(status);
    super(typeof detail === "string" ? detail : phrase);
    this.name = "HTTPException";
    this.status = status;
    this.detail = detail ?? phrase;
    this.headers = headers;
  }
}
