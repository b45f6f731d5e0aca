// Every process the harness starts is registered here so that a normal exit,
// an exception or Ctrl-C never leaves a server or load generator running.
// Servers run in their own process group (detached), so Ctrl-C in the terminal
// does not reach them: we must forward it ourselves.
import { spawn } from 'node:child_process';

const live = new Set(); // ChildProcess objects spawned with detached: true

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export function killAllNow() {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

let installed = false;
function installHandlers() {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping ${live.size} child process group(s)`);
      killAllNow();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

// Spawn argv in its own process group, pinned to `cpu`, with the open-files
// limit raised (5,000 in-flight sockets need it). `exec` keeps the pid: the
// returned child.pid is the target program itself, not bash or taskset.
// `nice` lowers a background load process's priority so that a latency probe
// sharing its core is scheduled as soon as it wakes up.
export function spawnPinned(argv, { cpu, nice = 0, env = {}, stdio = ['ignore', 'pipe', 'pipe'] } = {}) {
  installHandlers();
  const script = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec nice -n "$1" taskset -c "$0" "${@:2}"';
  const child = spawn('bash', ['-c', script, String(cpu), String(nice), ...argv], {
    detached: true,
    stdio,
    env: { ...process.env, ...env },
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

// SIGTERM the group, then SIGKILL it if it has not exited within graceMs.
export async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs, 'timeout'));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    killGroup(child, 'SIGKILL');
    await exited;
  }
  // The group may hold grandchildren that outlive the leader (e.g. a CLI wrapper's worker).
  killGroup(child, 'SIGKILL');
  live.delete(child);
}

// Keep only the last `max` characters of a stream, for error messages.
export function tail(stream, max = 4000) {
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d) => {
    buf = (buf + d).slice(-max);
  });
  return () => buf;
}
