// How `spry run` loads a .ts app: Node's own type stripping, and tsx (an optional peer) only
// for syntax that stripping cannot run. Real processes, with tsx installed or hidden.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { get, killAll, ROOT, spry, spryExit, tempProject } from "./spry-process.ts";

// Node 22 cannot load a file with tsx once its own stripping has refused it: there, tsx is
// preloaded (node --import tsx), as the error message says.
const RETRIES_IN_PROCESS = Number(process.versions.node.split(".")[0]) >= 24;
const TSX_PRELOADED = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${import.meta.resolve("tsx")}` };
const WITH_TSX = RETRIES_IN_PROCESS ? {} : TSX_PRELOADED;

const WITHOUT_TSX = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${pathToFileURL(join(ROOT, "test/support/without-tsx.mjs")).href}` };

const cleanups: (() => void)[] = [];
after(async () => {
  await killAll();
  for (const cleanup of cleanups) cleanup();
});

function project(files: Record<string, string>): string {
  const { dir, cleanup } = tempProject("module");
  cleanups.push(cleanup);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const ENUM_APP = {
  "color.ts": "export enum Color {\n  Red = \"red\",\n  Green = \"green\",\n}\n",
  "main.ts": [
    'import { Spry } from "spry";',
    'import { Color } from "./color.ts";',
    "const app = new Spry();",
    'app.get("/", () => ({ color: Color.Green }));',
    "export default app;",
  ].join("\n"),
};

test("a .ts app with types only runs on Node's type stripping, tsx not installed", async () => {
  const dir = project({
    "main.ts": [
      'import { Spry } from "spry";',
      "interface Answer { readonly answer: number }",
      "const app = new Spry();",
      'app.get("/", (): Answer => ({ answer: 42 as number }));',
      "export default app;",
    ].join("\n"),
  });
  const server = spry(["run", "main.ts", "--port", "0"], { cwd: dir, env: WITHOUT_TSX });
  const response = await get(`${await server.url()}/`);
  assert.equal(response.status, 200);
  assert.deepEqual(JSON.parse(response.body), { answer: 42 });
  assert.doesNotMatch(server.stderr(), /tsx|ExperimentalWarning/);
});

test("an app using an enum loads through tsx when it is installed", async () => {
  const dir = project(ENUM_APP);
  const server = spry(["run", "main.ts", "--port", "0"], { cwd: dir, env: WITH_TSX });
  const response = await get(`${await server.url()}/`);
  assert.equal(response.status, 200);
  assert.deepEqual(JSON.parse(response.body), { color: "green" });
});

test("an app using an enum, tsx not installed: one line naming the file, the syntax and the fix; exit 1", async () => {
  const dir = project(ENUM_APP);
  const result = await spryExit(["run", "main.ts", "--port", "0"], { cwd: dir, env: WITHOUT_TSX });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr.trimEnd(),
    "spry: color.ts:1 uses TypeScript that Node's type stripping cannot run (TypeScript enum is not supported in strip-only mode); install tsx to load it: npm i -D tsx",
  );
});

test("a threaded function in a module with an enum: the worker thread loads it through tsx too", async () => {
  const dir = project({
    "work.ts": [
      'import { threaded } from "spry";',
      "enum Factor { Double = 2 }",
      "export const double = threaded(import.meta.url, function double(n: number): number {",
      "  return n * Factor.Double;",
      "});",
    ].join("\n"),
    "main.ts": [
      'import { Spry } from "spry";',
      'import { double } from "./work.ts";',
      "const app = new Spry();",
      'app.get("/", async () => ({ n: await double(21) }));',
      "export default app;",
    ].join("\n"),
  });
  const server = spry(["run", "main.ts", "--port", "0"], { cwd: dir, env: WITH_TSX });
  const response = await get(`${await server.url()}/`);
  assert.equal(response.status, 200, server.stderr());
  assert.deepEqual(JSON.parse(response.body), { n: 42 });
});

test("Node 22, tsx installed but not preloaded: one line saying to preload it; exit 1", { skip: RETRIES_IN_PROCESS && "Node 24 and newer load it in process" }, async () => {
  const dir = project(ENUM_APP);
  const result = await spryExit(["run", "main.ts", "--port", "0"], { cwd: dir });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr.trimEnd(),
    /^spry: color\.ts:1 uses TypeScript that Node's type stripping cannot run \(TypeScript enum is not supported in strip-only mode\), and Node 22\.\d+\.\d+ cannot switch to tsx once it has tried: start it with tsx preloaded \(node --import tsx\), or use Node 24$/,
  );
});
