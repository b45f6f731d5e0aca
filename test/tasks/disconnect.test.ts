// A client that leaves before its response is complete: the request's tasks run if its handler
// still returns normally, and are dropped if the handler stops on its signal (it threw).
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { test } from "node:test";
import { Spry, sleep } from "spry";
import { serve } from "spry/server";

function appWithTwoRoutes(ran: string[], handlerStarted: () => void, handlerDone: () => void) {
  const app = new Spry({ logger: false });
  // Finishes its work although its client left: the work happened, so do its tasks.
  app.get("/finishes", async (_, { signal, tasks }) => {
    const left = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    handlerStarted();
    await left;
    tasks.add(() => void ran.push("finishes"));
    handlerDone();
    return "done";
  });
  // Stops when its client leaves (sleep throws ClientDisconnected): the request failed.
  app.get("/stops", async (_, { signal, tasks }) => {
    tasks.add(() => void ran.push("stops"));
    handlerStarted();
    try {
      await sleep(60_000, { signal });
    } finally {
      handlerDone();
    }
  });
  return app;
}

for (const path of ["/finishes", "/stops"]) {
  test(`node:http, the client leaves mid-handler, ${path}`, async () => {
    const ran: string[] = [];
    let started!: () => void;
    let done!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const handlerDone = new Promise<void>((resolve) => (done = resolve));
    const app = appWithTwoRoutes(ran, started, done);
    const running = await serve(app, { port: 0, handleSignals: false });
    try {
      const socket = connect(Number(new URL(running.url).port), "127.0.0.1");
      await once(socket, "connect");
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await handlerStarted;
      socket.destroy();
      await handlerDone;
    } finally {
      await running.close();
    }
    assert.deepEqual(ran, path === "/finishes" ? ["finishes"] : []);
  });

  test(`Fetch path, the host's request signal aborts mid-handler, ${path}`, async () => {
    const ran: string[] = [];
    let started!: () => void;
    let done!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const handlerDone = new Promise<void>((resolve) => (done = resolve));
    const app = appWithTwoRoutes(ran, started, done);
    const client = new AbortController();
    const response = app.fetch(new Request(`http://testserver${path}`, { signal: client.signal }));
    await handlerStarted;
    client.abort();
    await handlerDone;
    await response;
    await app.shutdown();
    assert.deepEqual(ran, path === "/finishes" ? ["finishes"] : []);
  });
}
