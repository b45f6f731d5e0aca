// On spry's own server (serve()), a response says itself when node:http is done with it
// (server/server-response.ts: detachSocket, or its connection closing under it), and a request
// waiting for that adds no "close" listener: its deferred work and tasks must still run, once,
// after the response, whether it was sent or its client left.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { test } from "node:test";
import { Spry, sleep } from "spry";
import { serve } from "spry/server";

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await sleep(5);
}

test("serve(): tasks and deferred work run once each, after the response was sent", async () => {
  const ran: string[] = [];
  const app = new Spry({ logger: false });
  app.get("/t/{n}", (_, ctx) => {
    const n = ctx.params.n!;
    ctx.defer(() => void ran.push(`defer ${n} ${ctx.scope.responded}`));
    ctx.tasks.add(() => void ran.push(`task ${n} ${ctx.scope.responded}`));
    return { n };
  });
  const running = await serve(app, { port: 0, handleSignals: false, accessLog: false });
  try {
    for (const n of ["1", "2"]) {
      const res = await fetch(`${running.url}/t/${n}`);
      assert.deepEqual(await res.json(), { n });
    }
    await waitFor(() => ran.length >= 4);
  } finally {
    await running.close();
  }
  assert.deepEqual(ran, ["defer 1 true", "task 1 true", "defer 2 true", "task 2 true"]);
});

test("serve(): a task added before the client leaves runs once the handler returns", async () => {
  const ran: string[] = [];
  let started!: () => void;
  let release!: () => void;
  const handlerStarted = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const app = new Spry({ logger: false });
  // Reads no signal, which would add a "close" listener of its own: only the server's report
  // of the connection's end says that the response is done.
  app.get("/leaves", async (_, { tasks }) => {
    tasks.add(() => void ran.push("task"));
    started();
    await released;
    ran.push("handler returned");
    return "done";
  });
  const running = await serve(app, { port: 0, handleSignals: false, accessLog: false });
  try {
    const socket = connect(Number(new URL(running.url).port), "127.0.0.1");
    await once(socket, "connect");
    socket.write("GET /leaves HTTP/1.1\r\nHost: x\r\n\r\n");
    await handlerStarted;
    socket.destroy();
    await sleep(50);
    release();
    await waitFor(() => ran.length >= 2);
  } finally {
    await running.close();
  }
  assert.deepEqual(ran, ["handler returned", "task"]);
});
