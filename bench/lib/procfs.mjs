// Linux /proc helpers: find which process really owns the listening socket
// (launchers like taskset, bash or a CLI wrapper may sit above it) and read its RSS.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function childPids(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    const txt = readText(`/proc/${pid}/task/${tid}/children`);
    if (txt) for (const c of txt.trim().split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

export function processTree(rootPid) {
  const seen = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    if (seen.includes(pid)) continue;
    seen.push(pid);
    stack.push(...childPids(pid));
  }
  return seen;
}

function listeningInodes(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const txt = readText(file);
    if (!txt) continue;
    for (const line of txt.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] = local "ADDR:PORT", f[3] = state (0A = LISTEN), f[9] = inode
      if (f.length > 9 && f[3] === '0A' && f[1].endsWith(`:${hexPort}`)) inodes.add(f[9]);
    }
  }
  return inodes;
}

// The pid in rootPid's process tree that holds the socket listening on `port`,
// or null if none does (yet).
export function findListeningPid(port, rootPid) {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const pid of processTree(rootPid)) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) return pid;
    }
  }
  return null;
}

// Resident set size in KiB, or null when the process is gone.
export function readRssKb(pid) {
  const txt = readText(`/proc/${pid}/status`);
  const m = txt && /^VmRSS:\s+(\d+)\s+kB/m.exec(txt);
  return m ? Number(m[1]) : null;
}

export function readComm(pid) {
  return (readText(`/proc/${pid}/comm`) ?? '').trim();
}

// Machine-wide count of connections dropped because a listen backlog was full.
// Any increase during a run means some connects waited for a SYN retry (1 s+).
export function readListenOverflows() {
  const lines = (readText('/proc/net/netstat') ?? '').split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return null;
  const keys = lines[0].split(/\s+/);
  const vals = lines[1].split(/\s+/);
  const i = keys.indexOf('ListenOverflows');
  return i === -1 ? null : Number(vals[i]);
}

// Busy ticks (user+nice+system, in USER_HZ) per CPU, from /proc/stat.
// irq/softirq are left out: they are mostly the loopback traffic of the run itself.
export function cpuBusyTicks() {
  const out = {};
  for (const line of (readText('/proc/stat') ?? '').split('\n')) {
    const m = /^cpu(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (m) out[m[1]] = { busy: Number(m[2]) + Number(m[3]) + Number(m[4]), idle: Number(m[5]) };
  }
  return out;
}

// utime+stime of a process (all threads), in USER_HZ ticks.
export function processCpuTicks(pid) {
  const txt = readText(`/proc/${pid}/stat`);
  if (!txt) return null;
  const f = txt.slice(txt.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // fields 14 and 15 of the full line
}

// Measures how much of a core something *other* than the given processes used,
// e.g. another user's build landing on the server's core during a run.
export function foreignLoad(cpu, pids) {
  const ticks = () => pids.reduce((s, p) => s + (processCpuTicks(p) ?? 0), 0);
  const c0 = cpuBusyTicks()[cpu];
  const p0 = ticks();
  return () => {
    const c1 = cpuBusyTicks()[cpu];
    const total = c1.busy + c1.idle - (c0.busy + c0.idle);
    if (!(total > 0)) return null;
    return Math.max(0, (c1.busy - c0.busy - (ticks() - p0)) / total);
  };
}

// USER_HZ, the unit of /proc/<pid>/stat's utime and stime: 100 on every Linux built for x86 and arm.
const CLK_TCK = 100;

// CPU time per request moves far less than req/s when a neighbour steals cycles: the figure to
// read when two variants differ by a few percent. Takes two processCpuTicks readings.
export function cpuMicrosPerRequest(ticksBefore, ticksAfter, requests) {
  if (ticksBefore === null || ticksAfter === null || !requests) return null;
  return ((ticksAfter - ticksBefore) * 1e6) / CLK_TCK / requests;
}

/**
 * CPU time of every thread of `pid` so far, in ns (/proc/<pid>/task/<tid>/schedstat): libuv's pool
 * and V8's helper threads included, finer than the clock ticks of processCpuTicks.
 */
export function threadsCpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return total;
}
