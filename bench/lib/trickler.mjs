// One process of bench/trickle.mjs's flood: opens COUNT connections to PORT (at most RATE a
// second), each sending a request head one byte every INTERVAL_MS, and never finishing it.
// Prints one JSON line of counts every second; stops after DURATION_S, closing everything.
//   node trickler.mjs PORT COUNT RATE INTERVAL_MS DURATION_S
import net from 'node:net';

const [port, count, rate, intervalMs, durationS] = process.argv.slice(2).map(Number);
const HEAD = `GET /fast_task/ HTTP/1.1\r\nHost: x\r\nX-Trickle: ${'t'.repeat(200)}`;
const sockets = new Set();
const stats = { opened: 0, failed: 0, closedByServer: 0, open: 0 };
let stopping = false;

function open() {
  const socket = net.connect(port, '127.0.0.1');
  let sent = 0;
  socket.on('connect', () => {
    stats.opened++;
    sockets.add(socket);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    if (sockets.delete(socket) && !stopping) stats.closedByServer++;
    else if (!stopping && sent === 0) stats.failed++;
  });
  socket.trickle = () => {
    if (!socket.destroyed && socket.readyState === 'open' && sent < HEAD.length) socket.write(HEAD[sent++]);
  };
}

let started = 0;
const opener = setInterval(() => {
  for (let i = 0; i < rate / 10 && started < count; i++, started++) open();
  if (started >= count) clearInterval(opener);
}, 100);
// Every socket writes once per interval, spread over it.
const tick = setInterval(() => {
  for (const socket of sockets) if (Math.random() < 100 / intervalMs) socket.trickle();
}, 100);
const report = setInterval(() => {
  stats.open = sockets.size;
  console.log(JSON.stringify(stats));
}, 1000);
setTimeout(() => {
  stopping = true;
  clearInterval(opener);
  clearInterval(tick);
  clearInterval(report);
  stats.open = sockets.size;
  console.log(JSON.stringify({ ...stats, done: true }));
  for (const socket of sockets) socket.destroy();
  setTimeout(() => process.exit(0), 200);
}, durationS * 1000);
