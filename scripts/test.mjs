// The one test command, shared by developers and CI: the type check (which includes the
// type-level tests under test/types), then every *.test.ts under test/ and docs/ on Node's
// own test runner.
// Node 20's runner cannot glob by itself, so the files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function testFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const only = process.argv.slice(2);
run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "."]);
const all = [...testFiles("test"), ...testFiles("docs")].sort();
run(process.execPath, ["--import", "tsx", "--test", ...(only.length > 0 ? only : all)]);
