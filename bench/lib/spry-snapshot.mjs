// spry's source is edited while benchmarks run, and a half-saved file can make
// the seed app fail to start in the middle of a run. With --spry-ref, spry is
// run from a copy of a *committed* tree instead (git archive into /tmp), which
// also makes the result traceable to a commit. node_modules is shared with the
// repo by a symlink, so the copy needs no install.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

export const REPO_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

const git = (...args) => execFileSync('git', ['-C', REPO_DIR, ...args], { encoding: 'utf8' }).trim();

export function snapshotSpry(ref) {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(tmpdir(), `spry-bench-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, 'bin', 'spry.mjs'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', 'git -C "$0" archive --format=tar "$1" | tar -x -C "$2"', REPO_DIR, sha, dir]);
    symlinkSync(join(REPO_DIR, 'node_modules'), join(dir, 'node_modules'));
  }
  // The bench apps import "spry"; bench/ has a package.json of its own, so Node's self-reference
  // does not reach the copy's: it is linked where their import looks first.
  const linked = join(dir, 'bench', 'node_modules', 'spry');
  if (!existsSync(linked)) {
    mkdirSync(dirname(linked), { recursive: true });
    symlinkSync(dir, linked);
  }
  return { dir, sha };
}

// What the live tree is, for the record: HEAD plus whether spry's sources differ from it.
export function describeLiveTree() {
  try {
    const sha = git('rev-parse', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src', 'bin', 'examples', 'package.json') !== '';
    return { sha, dirty };
  } catch {
    return null;
  }
}
