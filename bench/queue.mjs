#!/usr/bin/env node
// The Redis task queue: tasks per second through one and two `spry worker` processes, and the
// latency from `add` to the task starting. Starts its own redis-server (append-only file,
// fsync every second: the setting docs/task-queue.md recommends) on a free port.
//
//   node --import tsx bench/queue.mjs [--tasks 20000] [--concurrency 10] [--rate 200] [--seconds 10] [--workers 1,2]
//
// Throughput: --tasks tasks are queued with no worker running, then the workers start; the rate
// is the tasks over the time from the first task's start to the last one's. Latency: with the
// workers idle, tasks are added at --rate per second for --seconds, and each task notes how long
// after its add it started (p50, p99).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1,2' },
  },
});
const TASKS = Number(values.tasks);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const CONCURRENCY = values.concurrency;
const WORKER_COUNTS = values.workers.split(',').map(Number);

const dir = mkdtempSync(join(tmpdir(), 'spry-bench-queue-'));
const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--loglevel', 'warning'], { stdio: 'ignore' });
const children = [redis];
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
const url = `redis://127.0.0.1:${port}`;
process.env.REDIS_URL = url;
await sleep(300);

const { redisQueue } = await import('../src/tasks/redis/index.ts');
const { tick } = await import('./apps/queue-app.ts');

const results = [];
for (const workers of WORKER_COUNTS) {
  const queueName = `bench-${workers}`;
  const recordFile = join(dir, `${queueName}.txt`);
  writeFileSync(recordFile, '');
  const queue = redisQueue({ url, queue: queueName, logger: { info() {}, warn() {}, error() {}, debug() {} } });
  const readRecords = () => readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ').map(Number));

  // Throughput: a full queue, then the workers.
  const addStart = Date.now();
  for (let i = 0; i < TASKS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, TASKS - i) }, () => queue.add(tick, { addedAt: Date.now() })));
  }
  const addRate = TASKS / ((Date.now() - addStart) / 1000);
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(queueName, recordFile)));
  await until(() => readRecords().length >= TASKS, 600_000);
  const starts = readRecords().map(([at]) => at).sort((a, b) => a - b);
  const perSecond = (TASKS - 1) / ((starts.at(-1) - starts[0]) / 1000);

  // Latency: workers idle, tasks added at a steady rate.
  writeFileSync(recordFile, '');
  const total = Math.round(RATE * SECONDS);
  const begin = Date.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    await queue.add(tick, { addedAt: Date.now() });
  }
  await until(() => readRecords().length >= total, 120_000);
  const latencies = readRecords().map(([, latency]) => latency).sort((a, b) => a - b);
  results.push({ workers, concurrency: Number(CONCURRENCY), tasks: TASKS, addPerSecond: Math.round(addRate), tasksPerSecond: Math.round(perSecond), latencyP50Ms: pct(latencies, 0.5), latencyP99Ms: pct(latencies, 0.99), latencySamples: total });
  for (const proc of procs) proc.kill('SIGTERM');
  await Promise.all(procs.map((proc) => new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', resolve)))));
  await queue.close();
}
console.table(results);
console.log(JSON.stringify(results));
process.exit(0);

function startWorker(queueName, recordFile) {
  const child = spawn(process.execPath, [join(root, 'bin/spry.mjs'), 'worker', join(root, 'bench/apps/queue-app.ts'), '--concurrency', CONCURRENCY], {
    env: { ...process.env, QUEUE_NAME: queueName, RECORD_FILE: recordFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (out.includes('spry worker running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`spry worker exited (${code}):\n${out}`)));
  });
}

function pct(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function until(ready, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
