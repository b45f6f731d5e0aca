// The access log's own cost per request, apart from everything else a request costs: the
// access-log wrapper (src/server/access-log.ts) called on a fake request and response, with the
// log off, with a logger that drops the lines ("drop": the fields alone), or on (the JSON line,
// batched to stdout). CPU time per call, the least and the median of 8 runs of 50,000 calls.
// Redirect stdout, and pin it to a core:
//
//   taskset -c 0 ./node_modules/.bin/node --conditions=spry-source bench/access-log-micro.ts on > /dev/null
import { EventEmitter } from "node:events";
import { accessLog, createAccessLogger } from "../src/server/access-log.ts";

const mode = process.argv[2] ?? "on";
if (!["off", "drop", "on"].includes(mode)) throw new Error("mode: off, drop or on");
process.env.NODE_ENV = "production";
const logger = mode === "off" ? undefined : mode === "drop" ? { info() {}, warn() {}, error() {}, debug() {} } : createAccessLogger();

interface FakeResponse extends EventEmitter {
  statusCode: number;
  writableFinished: boolean;
  setHeader(name: string, value: string): void;
  getHeader(name: string): string | undefined;
}

// What the app does to the response: a status, a length, 180 bytes sent, then done.
const app = (req: { socket: { bytesWritten: number } }, res: FakeResponse) => {
  res.statusCode = 200;
  res.setHeader("content-length", "28");
  req.socket.bytesWritten += 180;
  res.writableFinished = true;
  res.emit("close");
};
const listener = accessLog(app as never, { logger, trusted: undefined });

function request(): void {
  const headers: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    writableFinished: false,
    setHeader: (name: string, value: string) => void (headers[name] = value),
    getHeader: (name: string) => headers[name],
  });
  const req = { headers: { host: "127.0.0.1" }, socket: { remoteAddress: "127.0.0.1", remotePort: 50000, bytesWritten: 0 }, httpVersionMajor: 1, httpVersion: "1.1", method: "GET", url: "/fast_task/" };
  listener(req as never, res as never);
}

const CALLS = 50_000;
const runs: number[] = [];
for (let run = 0; run < 8; run++) {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    request();
    // Let the batched writes go out, as a server's event loop would.
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(start);
  runs.push((used.user + used.system) / CALLS);
}
runs.sort((a, b) => a - b);
console.error(`access log ${mode}: least ${runs[0]!.toFixed(2)} µs a request, median ${runs[4]!.toFixed(2)}`);
