// Builds the published package into dist/: tsc compiles src/ (tsconfig.build.json), then the
// files tsc does not emit are copied beside the output: the plain JavaScript modules that must
// run before anything can load TypeScript (src/threads/worker.mjs, src/common/import-file.mjs)
// and their hand-written declarations.
// The build is made in a new folder and swapped in whole, so that a file removed from src/ never
// ships from an old build, and a process using dist/ meanwhile (a test, while `npm pack` builds
// again) never sees it half-written.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");
const next = join(root, `.dist-${process.pid}`);
const COPIED = /\.(mjs|cjs|d\.mts|d\.cts|json)$/;

rmSync(next, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json"), "--outDir", next], {
  stdio: "inherit",
});
if (tsc.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  process.exit(tsc.status ?? 1);
}

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (COPIED.test(entry.name)) {
      const target = join(next, relative(src, path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
    }
  }
}
copyAssets(src);

// Swagger UI's files, served by /docs, ship with spry (src/framework/openapi/docs-pages.ts)
// rather than through the swagger-ui-dist package: that package's install script sends
// telemetry. Its licence and notice travel with them.
const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
mkdirSync(join(next, "assets/swagger-ui-dist"), { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "oauth2-redirect.html", "LICENSE", "NOTICE"]) {
  copyFileSync(join(swaggerUi, file), join(next, "assets/swagger-ui-dist", file));
}

const old = join(root, `.dist-old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
