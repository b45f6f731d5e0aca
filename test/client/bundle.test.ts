// Importing spry/client never loads server code: bundled for the browser by esbuild, the client
// and a client file that imports its app's type hold only src/client, no zod, nothing of node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundle } from "./bundle.ts";

test("the client's bundle holds src/client only", async () => {
  const { code, inputs } = await bundle("spry/client");
  assert.deepEqual(inputs.filter((file) => !file.startsWith("src/client/")), []);
  assert.ok(inputs.includes("src/client/index.ts"));
  assert.doesNotMatch(code, /node:|zod|find-my-way|pino/);
  // A thin layer: a few kilobytes before minification.
  assert.ok(code.length < 16_000, `the client bundle is ${code.length} bytes`);
});

test("a client file that imports its app's type bundles without the app", async () => {
  const { inputs } = await bundle("./test/client/browser-calls.ts");
  assert.deepEqual(inputs.filter((file) => !file.startsWith("src/client/")), ["test/client/browser-calls.ts"]);
});
