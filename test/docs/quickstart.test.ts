// The README's "Use spry in your project", as a user's project runs it: the app and its test
// (docs/examples/quickstart/) against the built package (dist/, which the test command builds
// first), with the quickstart's own tsconfig, without spry's sources and without tsx.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { get, killAll, ROOT, spry } from "../server/spry-process.ts";

const QUICKSTART = "docs/examples/quickstart";
// No "spry-source" condition: `spry` resolves to dist/, as in a project that installed it.
const AS_INSTALLED = { NODE_OPTIONS: `--import ${pathToFileURL(join(ROOT, "test/support/without-tsx.mjs")).href}` };
const run = promisify(execFile);

test("the README's tsconfig.json is the quickstart's", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /```json\n(\{\n {2}"compilerOptions"[\s\S]*?)```/.exec(readme);
  assert.ok(block, "README.md shows a tsconfig.json");
  assert.equal(block[1], readFileSync(join(ROOT, QUICKSTART, "tsconfig.json"), "utf8"));
});

test("tsc with the quickstart's tsconfig: no errors, against the built declarations", async () => {
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const { stdout } = await run(process.execPath, [tsc, "-p", QUICKSTART, "--pretty", "false", "--explainFiles"], { cwd: ROOT });
  assert.match(stdout, /^dist\/index\.d\.ts$/m);
  assert.doesNotMatch(stdout, /^src\//m, "spry's sources must not reach the user's compiler");
});

test("spry run app.ts serves it, from the build, without tsx", async (t) => {
  t.after(killAll);
  const server = spry(["run", `${QUICKSTART}/app.ts`, "--port", "0"], { env: AS_INSTALLED });
  const response = await get(`${await server.url()}/items/5?q=hammer`);
  assert.equal(response.status, 200, server.stderr());
  assert.deepEqual(JSON.parse(response.body), { item_id: 5, q: "hammer" });
  // Swagger UI's files ship inside the build (dist/assets), not through swagger-ui-dist.
  const bundle = await get(`${await server.url()}/docs/swagger-ui-bundle.js`);
  assert.equal(bundle.status, 200);
  assert.equal(bundle.body, readFileSync(join(ROOT, "dist/assets/swagger-ui-dist/swagger-ui-bundle.js"), "utf8"));
});

test("node --test runs its test, from the build", async () => {
  // Started as a run of its own, not as a child of this test runner.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const { stdout } = await run(process.execPath, ["--test", "--test-reporter=tap", `${QUICKSTART}/app.test.ts`], {
    cwd: ROOT,
    env: { ...env, ...AS_INSTALLED },
  });
  assert.match(stdout, /^# pass 2$/m);
  assert.match(stdout, /^# fail 0$/m);
});
