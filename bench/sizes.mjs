// Installed size: what `npm install` puts in a new project's node_modules for spry + zod
// (spry from `npm pack` of this repository, as it would be published), Fastify, and Hono on
// @hono/node-server; the other packages at their latest versions from the registry. Sizes are
// the files' bytes (not disk blocks), so they do not depend on the file system.
//
//   node sizes.mjs        # ~1 min, needs the registry
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, ratio, fmt } from './lib/table.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'spry-sizes-'));

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function bytesAndFiles(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = bytesAndFiles(path);
      bytes += inner.bytes;
      files += inner.files;
    } else if (entry.isFile()) {
      bytes += statSync(path).size;
      files++;
    }
  }
  return { bytes, files };
}

function packages(dir) {
  const lock = JSON.parse(npm(['ls', '--all', '--json'], dir));
  const names = new Set();
  const walk = (deps = {}) => {
    for (const [name, info] of Object.entries(deps)) {
      // Optional peers that are not installed are listed too, without a version.
      if (info.version === undefined || info.missing) continue;
      names.add(`${name}@${info.version}`);
      walk(info.dependencies);
    }
  };
  walk(lock.dependencies);
  return names;
}

try {
  const tarball = join(work, npm(['pack', '--pack-destination', work, '--silent'], ROOT).trim().split('\n').at(-1));
  const stacks = [
    { name: 'spry + zod', install: [tarball, 'zod'] },
    { name: 'fastify', install: ['fastify'] },
    { name: 'hono + @hono/node-server', install: ['hono', '@hono/node-server'] },
  ];
  const rows = [];
  for (const stack of stacks) {
    const dir = join(work, stack.name.replace(/[^a-z]+/g, '-'));
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', '--loglevel=error', ...stack.install], dir);
    const size = bytesAndFiles(join(dir, 'node_modules'));
    const installed = packages(dir);
    const scripts = npm(['query', ':attr(scripts, [postinstall]), :attr(scripts, [install]), :attr(scripts, [preinstall])'], dir);
    rows.push({ ...stack, ...size, packages: installed.size, withScripts: JSON.parse(scripts).map((p) => `${p.name}@${p.version}`) });
  }
  const fastify = rows.find((r) => r.name === 'fastify');
  console.log(`npm ${npm(['--version'], ROOT).trim()}, Node ${process.version}\n`);
  console.log(
    markdownTable(
      ['stack', 'node_modules (MB)', 'vs fastify', 'files', 'packages', 'install scripts'],
      rows.map((r) => [
        r.name,
        (r.bytes / 1e6).toFixed(1),
        fmt.ratio(ratio(r.bytes, fastify.bytes)),
        String(r.files),
        String(r.packages),
        r.withScripts.length === 0 ? 'none' : r.withScripts.join(', '),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
