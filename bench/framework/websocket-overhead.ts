// What spry's WebSocket layer costs per echoed message, apart from ws and the kernel (which
// bench/realtime.mjs measures whole): a transport that does nothing but count, messages handed
// to it one at a time, the usual `for await ... await ws.send()` echo on top, and the same echo
// through ws.forEach((message) => ws.send(message)); beside them a plain callback, as an echo on
// ws alone is written.
// Run: node bench/framework/websocket-overhead.ts [messages] (Node 24 strips the types)
import { WebSocket } from "../../src/toolkit/websocket/websocket.ts";
import { defaultWebSocketLimits, type SocketTransport } from "../../src/toolkit/websocket/transport.ts";

const N = Number(process.argv[2] ?? 2_000_000);
const payload = "x".repeat(32);
const nsPerMessage = (cpu: NodeJS.CpuUsage) => (((cpu.user + cpu.system) * 1000) / N).toFixed(0);

async function throughSpry(idiom: "for await" | "forEach"): Promise<NodeJS.CpuUsage> {
  let echoed = 0;
  const transport: SocketTransport = {
    // Each echo lets the next message in on a later turn, as a client waiting for it would.
    send: () => {
      if (++echoed < N) queueMicrotask(() => transport.onMessage(payload));
      else transport.onClose(1000, "");
    },
    bufferedAmount: 0,
    whenDrained: (drained) => drained(),
    close() {},
    terminate() {},
    pause() {},
    resume() {},
    onMessage: () => {},
    onClose: () => {},
  };
  const ws = new WebSocket({ accept: () => Promise.resolve(transport), deny() {}, limits: defaultWebSocketLimits, protocols: [] });
  await ws.accept();
  const start = process.cpuUsage();
  transport.onMessage(payload);
  if (idiom === "forEach") await ws.forEach((message) => ws.send(message));
  else for await (const message of ws) await ws.send(message);
  if (echoed !== N) throw new Error(`echoed ${echoed} of ${N}`);
  return process.cpuUsage(start);
}

function throughCallback(): Promise<NodeJS.CpuUsage> {
  const start = process.cpuUsage();
  let echoed = 0;
  return new Promise((resolve) => {
    const onMessage = (message: string) => {
      void message;
      if (++echoed < N) queueMicrotask(() => onMessage(payload));
      else resolve(process.cpuUsage(start));
    };
    onMessage(payload);
  });
}

await throughSpry("for await"); // warm-up
await throughSpry("forEach");
await throughCallback();
const loop = await throughSpry("for await");
const each = await throughSpry("forEach");
const callback = await throughCallback();
console.log(`${N} echoed 32-byte messages, CPU per message: spry's WebSocket ${nsPerMessage(loop)} ns with for await, ${nsPerMessage(each)} ns with forEach(); a plain callback ${nsPerMessage(callback)} ns`);
