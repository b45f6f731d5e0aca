// Importing spry/client never loads server code: bundled for the browser by esbuild, as a user's
// bundler would, the client (as published in dist/, and from its sources) and a client file that
// imports its app's type hold the client's own modules only: no zod, nothing of node, no server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundle } from "./bundle.ts";

for (const [name, conditions, folder] of [["published (dist/)", [], "dist/client/"], ["from its sources", ["spry-source"], "src/client/"]] as const) {
  test(`the client's bundle, ${name}, holds ${folder} only`, async () => {
    const { code, inputs } = await bundle("spry/client", conditions);
    assert.deepEqual(inputs.filter((file) => !file.startsWith(folder)), []);
    assert.ok(inputs.length >= 2, `${inputs}`);
    assert.doesNotMatch(code, /node:|zod|find-my-way|pino/);
    // A thin layer: a few kilobytes before minification.
    assert.ok(code.length < 16_000, `the client bundle is ${code.length} bytes`);
  });

  test(`a client file that imports its app's type bundles without the app, ${name}`, async () => {
    const { inputs } = await bundle("./test/client/browser-calls.ts", conditions);
    assert.deepEqual(inputs.filter((file) => !file.startsWith(folder)), ["test/client/browser-calls.ts"]);
  });
}
