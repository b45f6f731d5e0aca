// The typed client on Bun and Deno, against a spry app served by Node: each host runs
// test/client/host-calls.ts from the sources. Their binaries are named by SPRY_BUN and SPRY_DENO
// (CI installs them); a host whose binary is not named is skipped, saying so.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { TestServer } from "../support/server.ts";
import { echoApp } from "./echo-app.ts";

const run = promisify(execFile);
const script = new URL("./host-calls.ts", import.meta.url).pathname;

const hosts = {
  bun: { variable: "SPRY_BUN", args: (origin: string) => [script, origin] },
  deno: { variable: "SPRY_DENO", args: (origin: string) => ["run", "--allow-net", "--allow-env", "--allow-read", "--no-check", script, origin] },
};

let server: TestServer;
before(async () => (server = await TestServer.start(echoApp())));
after(() => server.close());

for (const [name, host] of Object.entries(hosts)) {
  const binary = process.env[host.variable];
  const skip = binary !== undefined && existsSync(binary) ? false : `${host.variable} does not name a ${name} binary`;
  test(`the typed client on ${name}`, { skip, timeout: 120_000 }, async () => {
    const { stdout } = await run(binary!, host.args(server.running.url), { timeout: 100_000 });
    assert.deepEqual(JSON.parse(stdout), {
      read: [200, { id: 3, name: "a b", price: 1.5 }],
      invalid: [422, [["body", "price"]]],
      login: [200, { username: "ann", password: "p&w", remember: false }],
      upload: [200, { title: "t", doc: { filename: "doc.txt", type: "text/plain", text: "hi" }, photos: [] }],
      timedOut: "TimeoutError",
    });
  });
}
