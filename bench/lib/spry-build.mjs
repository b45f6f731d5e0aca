// spry measured as a user runs it: the built package (dist/, from scripts/build.mjs), the app
// compiled to JavaScript, NODE_ENV=production, no TypeScript loader. Each spry app of bench/apps
// (and the seed app) is written with its types stripped into <spry root>/.spry-tmp/bench-apps/,
// inside the repository's package scope, so that its `import "spry"` resolves to dist/ through
// the package's own exports, as an installed spry does.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as nodeModule from 'node:module';
import { nodeBinary } from './hosts.mjs';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ in `root` when it is missing or older than a file of src/. */
export function ensureBuilt(root, { log = console.error } = {}) {
  const built = join(root, 'dist', 'index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'src'))) return;
  const node = nodeBinary(24) ?? process.execPath;
  log(`building spry in ${root} (node scripts/build.mjs)`);
  execFileSync(node, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

function stripTypes(source) {
  if (typeof nodeModule.stripTypeScriptTypes === 'function') return nodeModule.stripTypeScriptTypes(source);
  // An older Node runs the harness: let Node 24 strip them.
  const code = 'process.stdout.write(require("node:module").stripTypeScriptTypes(require("node:fs").readFileSync(0, "utf8")))';
  return execFileSync(nodeBinary(24), ['-e', code], { input: source, encoding: 'utf8' });
}

/** The JavaScript of the TypeScript app at `file`, written under `root`; its path. */
export function builtApp(root, file, name = basename(file).replace(/\.ts$/, '.js')) {
  const out = join(root, '.spry-tmp', 'bench-apps', name);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) return out;
  mkdirSync(join(root, '.spry-tmp', 'bench-apps'), { recursive: true });
  writeFileSync(out, stripTypes(readFileSync(file, 'utf8')));
  return out;
}
