// A closed-loop HTTP/2 load: SESSIONS connections, STREAMS requests in flight on each, for
// DURATION_S; prints {requests, rps, p50, p99, errors} as one JSON line. wrk speaks HTTP/1.1
// only; this client is Node, so it costs the machine more CPU per request than wrk does.
//   node h2-load.mjs URL PATH SESSIONS STREAMS DURATION_S CA_FILE
import { connect } from 'node:http2';
import { readFileSync } from 'node:fs';

const [url, path, sessions, streams, durationS, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile);
const latencies = [];
let errors = 0;
const end = performance.now() + Number(durationS) * 1000;
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function session() {
  const client = connect(url, { ca });
  client.on('error', () => errors++);
  const loop = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      await new Promise((resolve) => {
        const stream = client.request({ ':path': path });
        stream.on('response', () => {});
        stream.resume();
        stream.on('end', () => (latencies.push(performance.now() - start), resolve()));
        stream.on('error', () => (errors++, resolve()));
      });
    }
  };
  await Promise.all(Array.from({ length: Number(streams) }, loop));
  client.close();
}
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(sessions) }, session));
const seconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({ requests: latencies.length, rps: latencies.length / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), errors }));
