// docs/reliability.md row 34: connections that trickle their heads or sit idle cannot lock
// real clients out. Open connections stay under the cap (lowered here to keep the test small;
// bench/trickle.mjs measures 20,000), and requests from other clients keep being served.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { Spry } from "spry";
import { defaultServerLimits } from "spry/server";
import { recordingLogger } from "../support/logger.ts";
import { eventually, PATIENCE_MS, TestServer, type RawConnection } from "../support/server.ts";
import { maxConnectionsFor } from "../../src/server/fd-limit.ts";

const CAP = 20;
const logger = recordingLogger();
const app = new Spry({ logger });
let release: () => void = () => {};
let held = new Promise<void>((resolve) => (release = resolve));
app.get("/fast_task/", () => ({ message: "This is fast!" }));
// How many /hold requests the app is answering: a connection counts as busy only from then on.
let holding = 0;
app.get("/hold", async () => {
  holding++;
  await held;
  holding--;
  return { held: true };
});

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app, { maxConnections: CAP });
});
after(() => srv.close());

/** Connections that send a head one byte at a time, every 50 ms, until they are closed. */
async function tricklers(n: number): Promise<{ connections: RawConnection[]; stop: () => void }> {
  const head = "GET /fast_task/ HTTP/1.1\r\nHost: x\r\nX-Padding: " + "p".repeat(4000);
  const connections: RawConnection[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < n; i++) {
    const connection = await srv.connect();
    connections.push(connection);
    let sent = 0;
    const timer = setInterval(() => (connection.closed || sent >= head.length ? clearInterval(timer) : connection.write(head[sent++]!)), 50);
    timers.push(timer);
  }
  return {
    connections,
    stop() {
      for (const timer of timers) clearInterval(timer);
      for (const connection of connections) connection.socket.destroy();
    },
  };
}

describe("row 34: a cap on open connections, refused cheaply past it", () => {
  test(`beside ${CAP * 3} trickling connections (cap ${CAP}), /fast_task/ keeps answering on fresh connections`, async () => {
    const flood = await tricklers(CAP * 3);
    try {
      assert.ok(await eventually(async () => (await srv.connections()) <= CAP), "open connections stay under the cap");
      for (let i = 0; i < 10; i++) {
        const response = await srv.get("/fast_task/");
        assert.equal(response.status, 200);
        assert.deepEqual(JSON.parse(response.body), { message: "This is fast!" });
        assert.ok((await srv.connections()) <= CAP);
      }
      // The oldest idle ones were closed to make room, never more than the excess.
      const open = flood.connections.filter((c) => !c.closed).length;
      assert.ok(open >= CAP - 11 && open <= CAP, `${open} tricklers still open`);
      assert.ok(logger.entries.some((e) => e.level === "warn" && /closing the ones idle the longest/.test(e.message ?? "")));
    } finally {
      flood.stop();
    }
  });

  test("when every connection has a request in flight, a new one is closed at once, and served again once they finish", async () => {
    held = new Promise<void>((resolve) => (release = resolve));
    const busy = await Promise.all(Array.from({ length: CAP }, () => srv.connect()));
    for (const connection of busy) connection.write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.ok(await eventually(async () => (await srv.connections()) === CAP));
    // On a loaded machine a head can still be unread when the sockets are counted, and a
    // connection whose request has not been parsed yet is idle, so it would be the one evicted.
    assert.ok(await eventually(async () => holding === CAP), `${holding} of ${CAP} requests in flight`);
    const extra = await srv.connect();
    const start = Date.now();
    await extra.closedByServer();
    assert.ok(Date.now() - start < PATIENCE_MS);
    assert.ok(logger.entries.some((e) => e.level === "warn" && /each with a request in flight: refusing new connections/.test(e.message ?? "")));
    release();
    for (const connection of busy) {
      const response = await connection.response();
      assert.equal(response.status, 200);
      connection.socket.destroy();
    }
    assert.ok(await eventually(async () => (await srv.connections()) === 0));
    assert.equal((await srv.get("/fast_task/")).status, 200);
  });
});

describe("the default cap comes from the fd limit", () => {
  test("a tenth of the limit (at least 64 descriptors) is kept for the rest of the process", () => {
    assert.equal(maxConnectionsFor(1024), 921);
    assert.equal(maxConnectionsFor(20_000), 18_000);
    assert.equal(maxConnectionsFor(256), 192);
    assert.equal(maxConnectionsFor(undefined), 900);
  });

  test("read from the process's own `ulimit -n`", () => {
    const script = 'import("spry/server").then(({ defaultServerLimits }) => console.log(defaultServerLimits.maxConnections))';
    const out = execFileSync("/bin/sh", ["-c", `ulimit -n 2048 && exec "${process.execPath}" --import tsx -e '${script}'`], { encoding: "utf8" });
    assert.equal(Number(out.trim()), 2048 - 205);
    assert.equal(typeof defaultServerLimits.maxConnections, "number");
  });
});
