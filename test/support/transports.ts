// One suite, both entry points: every test written with `forEachTransport` runs once against
// the native node:http path and once against the Fetch API path (Hono's shared-suite habit).
import { describe } from "node:test";
import { TestClient, type Testable, type Transport } from "spry/testing";

export const TRANSPORTS: readonly Transport[] = ["node", "fetch"];

export function forEachTransport(name: string, body: (connect: (app: Testable) => TestClient, transport: Transport) => void): void {
  for (const transport of TRANSPORTS) {
    describe(`${name} [${transport}]`, () => body((app) => new TestClient(app, { transport }), transport));
  }
}
