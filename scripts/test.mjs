// The one test command, shared by developers and CI: build dist/ (the consumer tests install it),
// type-check (which includes the type-level tests under test/types), then run every *.test.ts
// under test/ and docs/, or the files given, on Node's own test runner.
// The tests load spry's sources, not dist/: the "spry-source" export condition maps `spry` and
// its subpaths (and bin/spry.mjs's #cli) to src/*.ts, and Node's own type stripping runs them.
// It is passed through NODE_OPTIONS so that every process a test starts (spry's CLI, a dev-mode
// child) resolves the same copy.
// Run by an older Node (the machine's own), the tests run on the Node 24 that `npm install`
// put in node_modules (the `node` devDependency).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const CONDITION = "--conditions=spry-source";

function testFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function strips(version) {
  const [major, minor] = version.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

function node() {
  if (strips(process.versions.node)) return process.execPath;
  const local = join(root, "node_modules/.bin/node");
  if (existsSync(local)) return local;
  console.error(`Node ${process.versions.node} cannot run spry's tests (22.18 or newer is needed): run \`npm install\` first, which installs Node 24 for the repository's scripts.`);
  process.exit(1);
}

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const only = process.argv.slice(2);
const nodePath = node();
const tsc = join(root, "node_modules/typescript/bin/tsc");
run(nodePath, [join(root, "scripts/build.mjs")]);
run(nodePath, [tsc, "--noEmit", "-p", "."]);
const all = [...testFiles("test"), ...testFiles("docs")].sort();
const nodeOptions = [process.env.NODE_OPTIONS, CONDITION].filter(Boolean).join(" ");
run(nodePath, ["--test", ...(only.length > 0 ? only : all)], { ...process.env, NODE_OPTIONS: nodeOptions });
