// Load process for the inflight scenario: keeps N /slow_task/ requests in
// flight at all times (each one is re-issued the moment it completes).
// Talks to the orchestrator with JSON lines on stdout; "stop" on stdin ends it.
//   node inflight-load.mjs PORT N RAMP_SECONDS MAX_SECONDS
import http from 'node:http';
import { createInterface } from 'node:readline';

const [port, target, rampSeconds, maxSeconds] = process.argv.slice(2).map(Number);
const HOST = '127.0.0.1';
// Open the N requests evenly over RAMP_SECONDS, so every framework gets the
// same arrival pattern (and later the same wave of timers firing together).
// Never more than 2 batches still connecting: Node's default listen backlog is
// 511, and an overflowing backlog drops SYNs that are retried only 1 s later.
const BATCH_GAP_MS = 20;
const BATCH = Math.max(1, Math.ceil(target / ((rampSeconds * 1000) / BATCH_GAP_MS)));

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
let running = true;
let issued = 0;
let connecting = 0; // issued, not yet fully written to a socket
let inFlight = 0; // written to the socket, response not yet complete
let completed = 0;
let errors = 0;
let non200 = 0;
let ready = false;
// Latency of re-issued slow requests (keep-alive socket already open), in ms:
// shows how late the server's 5 s timers fire under this load.
const latencies = [];

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

function issue(i, reissue = false) {
  if (!running) return;
  issued++;
  connecting++;
  const t0 = performance.now();
  let counted = false;
  const req = http.get({ host: HOST, port, path: `/slow_task/${i}?q=test`, agent }, (res) => {
    if (res.statusCode !== 200) non200++;
    res.resume();
    res.on('end', () => {
      if (counted) inFlight--;
      counted = false;
      completed++;
      if (reissue) latencies.push(performance.now() - t0);
      issue(i, true);
    });
  });
  req.on('finish', () => {
    connecting--;
    counted = true;
    inFlight++;
    if (!ready && inFlight >= target) {
      ready = true;
      emit({ event: 'ready', inFlight, issued });
    }
  });
  req.on('error', () => {
    if (counted) inFlight--;
    else connecting--;
    counted = false;
    errors++;
    if (running) setTimeout(issue, 100, i, false);
  });
}

function stop(reason) {
  if (!running) return;
  running = false;
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : null);
  emit({ event: 'done', reason, inFlight, issued, completed, errors, non200, slowP50: pct(50), slowP99: pct(99), slowMax: latencies.at(-1) ?? null });
  agent.destroy();
  process.exit(0);
}

// Bounded no matter what the orchestrator does.
setTimeout(() => stop('max-seconds'), maxSeconds * 1000).unref();
createInterface({ input: process.stdin }).on('line', (l) => l.trim() === 'stop' && stop('stopped'));
process.stdin.on('end', () => stop('stdin closed'));
process.on('SIGTERM', () => stop('SIGTERM'));

let next = 0;
const ramp = setInterval(() => {
  if (connecting >= 2 * BATCH) return; // previous batch still connecting
  for (let k = 0; k < BATCH && next < target; k++) issue(next++);
  if (next >= target) clearInterval(ramp);
}, BATCH_GAP_MS);

setInterval(() => emit({ event: 'status', inFlight, completed, errors, non200 }), 1000).unref();
