// Builds the published package into dist/: tsc compiles src/ (tsconfig.build.json), then the
// files tsc does not emit are copied beside the output: the plain JavaScript modules that must
// run before anything can load TypeScript (src/threads/worker.mjs, src/server/import-file.mjs)
// and their hand-written declarations. dist/ is emptied first so that a file removed from src/
// never ships from an old build.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");
const COPIED = /\.(mjs|cjs|d\.mts|d\.cts|json)$/;

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (COPIED.test(entry.name)) {
      const target = join(dist, relative(src, path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
    }
  }
}
copyAssets(src);
