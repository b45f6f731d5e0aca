/**
 * Per-request limits enforced by the toolkit, whichever server delivers the request.
 * Defaults and where they come from: shared/RELIABILITY.md (Fastify 5, Starlette, nginx).
 * Socket-level limits (head size, timeouts, keep-alive) belong to the server: see server/options.ts.
 */
export interface RequestLimits {
  /** Largest request body in bytes, counted after decompression. Over it: 413. */
  bodyLimit: number;
  /** Longest request target (path and query) in characters. Over it: 414. */
  maxUrlLength: number;
  /** Longest single path parameter in characters. Over it the route does not match: 404. */
  maxParamLength: number;
  /** Most query parameters. Over it: 413. */
  maxQueryKeys: number;
}

export const defaultLimits: RequestLimits = {
  bodyLimit: 1024 * 1024,
  maxUrlLength: 8 * 1024,
  maxParamLength: 100,
  maxQueryKeys: 1000,
};
