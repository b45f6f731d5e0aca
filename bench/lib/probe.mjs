// Latency probe for the inflight scenario: GET /fast_task/ at a fixed rate on
// its own keep-alive pool, and print percentiles as one JSON line.
// Latency is measured from each request's *scheduled* send time, so a stalled
// server (or client) is charged for the requests it delayed, not only the ones
// it answered (no coordinated omission).
//   node probe.mjs PORT RATE DURATION_S POOL
import http from 'node:http';

const [port, rate, durationS, pool] = process.argv.slice(2).map(Number);
const HOST = '127.0.0.1';
const PATH = '/fast_task/';
const agent = new http.Agent({ keepAlive: true, maxSockets: pool });

function get() {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: PATH, agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);

// Open the pool's sockets before measuring: connection setup is not the question.
await Promise.all(Array.from({ length: pool }, get));
for (let i = 0; i < pool * 5; i++) await get();

const total = Math.round(rate * durationS);
const intervalMs = 1000 / rate;
const latencies = [];
const timeline = new Array(Math.ceil(durationS * 4)).fill(0); // worst latency per 250 ms of schedule
let errors = 0;
const pending = [];
const t0 = performance.now();
for (let i = 0; i < total; i++) {
  const due = t0 + i * intervalMs;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  pending.push(
    get().then((status) => {
      if (status !== 200) errors++;
      else {
        const ms = performance.now() - due;
        latencies.push(ms);
        const b = Math.floor((due - t0) / 250);
        timeline[b] = Math.max(timeline[b], Math.round(ms * 10) / 10);
      }
    }),
  );
}
await Promise.all(pending);
const elapsedS = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  sent: total, ok: latencies.length, errors, elapsedS,
  p50: pct(latencies, 50), p90: pct(latencies, 90), p99: pct(latencies, 99), max: latencies.at(-1) ?? null, timeline,
  // CPU time in USER_HZ ticks (100/s), for the orchestrator's interference check.
  cpuTicks: (() => { const u = process.cpuUsage(); return (u.user + u.system) / 10_000; })(),
}) + '\n');
agent.destroy();
