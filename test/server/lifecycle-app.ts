// The app the shutdown and workers tests serve through `spry run`. Requests to /hold wait until
// the file RELEASE_FILE exists, so a test decides when in-flight requests end without guessing
// durations; every step of interest is written to stdout as a JSON line ({"event": ...}).
import { existsSync } from "node:fs";
import { z } from "zod";
import { Spry, sleep } from "spry";

const RELEASE_FILE = process.env.RELEASE_FILE ?? "";

function event(name: string, fields: object = {}): void {
  process.stdout.write(`${JSON.stringify({ event: name, worker: process.pid, ...fields })}\n`);
}

async function released(): Promise<void> {
  while (!existsSync(RELEASE_FILE)) await sleep(20);
}

const app = new Spry();

app.onStartup(() => event("startup"));
app.onShutdown(() => event("shutdown"));

app.get("/pid", () => ({ pid: process.pid }));

// A POST whose body is read before the answer, as the workers test's keep-alive POST clients need.
app.post("/pid", async (_inputs, ctx) => ({ pid: process.pid, received: (await ctx.body()).byteLength }));

app.get("/hold/{name}", { name: z.string() }, async ({ name }) => {
  event("hold", { name });
  await released();
  event("done", { name });
  return { name, pid: process.pid };
});

// Its head goes out at once; the rest once released.
app.get("/stream", () => {
  event("hold", { name: "stream" });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode("first\n"));
      await released();
      controller.enqueue(encoder.encode("last\n"));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain" } });
});

// Says which worker took the socket, then echoes; its end (and the close code) is an event.
app.websocket("/ws", async (_inputs, ws) => {
  await ws.sendJson({ pid: process.pid });
  try {
    for await (const message of ws) await ws.send(message);
  } finally {
    const { code } = await ws.closed;
    event("ws-closed", { code });
  }
});

// Answers, then throws where nothing catches it: the process crashes just after the response.
app.get("/throw-later", () => {
  setTimeout(() => {
    throw new Error("thrown after the response");
  }, 200);
  return "ok";
});

app.get("/crash", (): never => {
  event("crash");
  process.exit(3);
});

export default app;
