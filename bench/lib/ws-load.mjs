// Load for bench/realtime.mjs, run on its own core: `ws` clients that echo (each connection
// sends one message, waits for it back, sends the next) or hold event streams open.
// Prints one JSON line with what it measured.
import http from 'node:http';
import { WebSocket } from 'ws';

const [mode, port, a, b] = process.argv.slice(2);
const host = '127.0.0.1';

async function echo(connections, seconds) {
  const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host}:${port}/echo`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  const payload = 'x'.repeat(32);
  const latencies = [];
  let measuring = false;
  let stop = false;
  const loops = sockets.map((ws) => new Promise((resolve) => {
    let sent = 0n;
    ws.on('message', () => {
      if (measuring) latencies.push(Number(process.hrtime.bigint() - sent) / 1e3);
      if (stop) return resolve();
      sent = process.hrtime.bigint();
      ws.send(payload);
    });
    sent = process.hrtime.bigint();
    ws.send(payload);
  }));
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  process.stdout.write(JSON.stringify({ event: 'start' }) + '\n');
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2000))]);
  for (const ws of sockets) ws.terminate();
  latencies.sort((x, y) => x - y);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { messages: latencies.length, perSecond: latencies.length / elapsed, p50us: p(0.5), p99us: p(0.99) };
}

async function streams(count, probes) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const open = [];
  for (let i = 0; i < count; i++) {
    open.push(new Promise((resolve, reject) => {
      const req = http.get({ host, port, path: '/events', agent }, (res) => {
        res.once('data', () => resolve(req));
      });
      req.on('error', reject);
    }));
    if (i % 500 === 499) await Promise.all(open.slice(-500));
  }
  await Promise.all(open);
  process.stdout.write(JSON.stringify({ event: 'open', count }) + '\n');
  // Wait for the driver to read the server's memory, then probe /fast_task/ beside the streams.
  await new Promise((r) => process.stdin.once('data', r));
  const latencies = [];
  for (let i = 0; i < probes; i++) {
    const start = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      http.get({ host, port, path: '/fast_task/', agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    latencies.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  latencies.sort((x, y) => x - y);
  return { streams: count, probes, p50us: latencies[Math.floor(probes / 2)], p99us: latencies[Math.floor(probes * 0.99)] };
}

const result = mode === 'echo' ? await echo(Number(a), Number(b)) : await streams(Number(a), Number(b));
process.stdout.write(JSON.stringify({ event: 'result', ...result }) + '\n');
process.exit(0);
