import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * A connection as node:http keeps it, with its own private field: the response currently being
 * written on it. refusals.ts and shutdown.ts read it; test/server/shutdown.test.ts fails if
 * Node ever drops it.
 */
export interface HttpSocket extends Socket {
  _httpMessage?: ServerResponse | null;
}
