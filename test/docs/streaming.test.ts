// docs/streaming.md: its example app does what the page says, over a real socket for the
// endless stream (read a few events, leave).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eventStream, Spry } from "spry";
import { TestClient } from "spry/testing";
import { head, TestServer } from "../support/server.ts";

process.env.TICK_MS = "20";
const { default: app } = await import("../../docs/examples/streaming.ts");

let server: TestServer;
before(async () => (server = await TestServer.start(app)));
after(() => server.close());

async function firstBytes(target: TestServer, path: string, headers: string[], until: RegExp): Promise<string> {
  const connection = await target.connect();
  let text = "";
  await new Promise<void>((resolve) => {
    connection.socket.on("data", (chunk: string) => {
      text += chunk;
      if (until.test(text)) resolve();
    });
    connection.write(head(`GET ${path} HTTP/1.1`, "Host: testserver", ...headers));
  });
  connection.destroy();
  return text;
}

test("/prices: JSON Lines, each item stripped to the model", async () => {
  const res = await new TestClient(app).get("/prices");
  assert.equal(res.headers.get("content-type"), "application/jsonl");
  assert.equal(await res.text(), '{"symbol":"ACME","price":12.5}\n{"symbol":"INIT","price":3.25}\n');
});

test("/ticks: events with ids; resumed after Last-Event-ID", async () => {
  const fresh = await firstBytes(server, "/ticks", [], /id: 2\n/);
  assert.match(fresh, /content-type: text\/event-stream; charset=utf-8/i);
  assert.match(fresh, /event: tick\nid: 1\ndata: {"n":1}\n\n/);
  const resumed = await firstBytes(server, "/ticks", ["Last-Event-ID: 41"], /id: 43\n/);
  assert.match(resumed, /event: tick\nid: 42\ndata: {"n":42}\n\n/);
  assert.doesNotMatch(resumed, /id: 41\n/);
});

test("/status: raw text data", async () => {
  assert.equal(await (await new TestClient(app).get("/status")).text(), "event: ready\ndata: all systems go\n\n");
});

test("a keep-alive comment goes out while the source is quiet", async () => {
  const quiet = new Spry({ logger: false });
  quiet.get("/quiet", (_, { signal }) => eventStream((async function* () {
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  })(), { ping: 30 }));
  const quietServer = await TestServer.start(quiet);
  try {
    const text = await firstBytes(quietServer, "/quiet", [], /(: ping\n\n[\s\S]*){2}/);
    assert.match(text, /: ping\n\n/);
  } finally {
    await quietServer.close();
  }
});
