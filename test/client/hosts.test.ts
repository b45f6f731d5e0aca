// The typed client on Bun and Deno, against a spry app served by Node: each host runs
// test/client/host-calls.ts from the sources. Their binaries are found as the host tests find
// them (test/support/hosts.ts: .ci/run installs them); skipped locally without them, never in CI.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { hostBinary, HOST_PATIENCE_MS, required, skipUnless } from "../support/hosts.ts";
import { TestServer } from "../support/server.ts";
import { echoApp } from "./echo-app.ts";

const run = promisify(execFile);
const script = new URL("./host-calls.ts", import.meta.url).pathname;

const hosts = {
  bun: (origin: string) => [script, origin],
  deno: (origin: string) => ["run", "--allow-net", "--allow-env", "--allow-read", "--no-check", script, origin],
} as const;

let server: TestServer;
before(async () => (server = await TestServer.start(echoApp())));
after(() => server.close());

for (const name of ["bun", "deno"] as const) {
  const binary = hostBinary(name);
  test(`the typed client on ${name}`, { skip: skipUnless(binary), timeout: HOST_PATIENCE_MS * 2 }, async () => {
    const { stdout } = await run(required(binary), hosts[name](server.running.url), { timeout: HOST_PATIENCE_MS });
    assert.deepEqual(JSON.parse(stdout), {
      read: [200, { id: 3, name: "a b", price: 1.5 }],
      invalid: [422, [["body", "price"]]],
      login: [200, { username: "ann", password: "p&w", remember: false }],
      upload: [200, { title: "t", doc: { filename: "doc.txt", type: "text/plain", text: "hi" }, photos: [] }],
      timedOut: "TimeoutError",
    });
  });
}
