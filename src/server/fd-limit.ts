import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * This process's limit on open file descriptors (the soft limit, `ulimit -n`), or undefined
 * when it cannot be read or is unlimited. Node has no API for it: Linux shows it in
 * /proc/self/limits; elsewhere (macOS, the BSDs) the shell's `ulimit -n` reports the same
 * limit, inherited from this process. Read once per server start.
 */
export function fdLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (line !== null) return limitValue(line[1]!);
  } catch {
    // No procfs: ask the shell.
  }
  if (process.platform === "win32") return undefined;
  const result = spawnSync("/bin/sh", ["-c", "ulimit -n"], { encoding: "utf8", timeout: 2_000 });
  return result.status === 0 ? limitValue(result.stdout.trim()) : undefined;
}

function limitValue(text: string): number | undefined {
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The default when the fd limit cannot be known: a common limit's share, as below. */
const UNKNOWN_LIMIT_CONNECTIONS = 900;

/**
 * The default cap on open connections: the fd limit less what the process needs besides its
 * connections (files, the event loop, worker threads, outgoing sockets), reserved as a tenth
 * of the limit and never fewer than 64 descriptors. At 1,024 that leaves 921 connections; at
 * 20,000, 18,000; at 1,048,576, 943,718.
 */
export function defaultMaxConnections(): number {
  return maxConnectionsFor(fdLimit());
}

/** The cap defaultMaxConnections() derives from an fd limit (undefined: not known). */
export function maxConnectionsFor(limit: number | undefined): number {
  if (limit === undefined) return UNKNOWN_LIMIT_CONNECTIONS;
  return Math.max(1, limit - Math.max(64, Math.ceil(limit / 10)));
}
