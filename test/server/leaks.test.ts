// docs/reliability.md, for every row: after a bad input is repeated 1,000 times, the server holds no
// connection and the process no handle beyond what it held before.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertStillServes, recordingApp } from "../support/recording-app.ts";
import { settledResources } from "../support/resources.ts";
import { eventually, head, TestServer } from "../support/server.ts";

const REPEAT = 1000;
const PARALLEL = 8;
const { app, calls, logger } = recordingApp({ bodyLimit: 1024 });

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());


async function repeat(bytes: string, status: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < REPEAT) {
      const { response, connection } = await srv.send(bytes);
      assert.equal(response.status, status);
      await connection.closedByServer();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

const cases: [name: string, bytes: string, status: number][] = [
  ["a malformed request line", head("GARBAGE"), 400],
  [
    "a bad chunk size, after the handler has started reading",
    head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "zz\r\nhello\r\n0\r\n\r\n",
    400,
  ],
  [
    "a chunked body over the body limit",
    head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + `800\r\n${"a".repeat(2048)}\r\n`,
    413,
  ],
];

describe(`${REPEAT} times the same bad input`, () => {
  for (const [name, bytes, status] of cases) {
    test(`${name}: connections and handles return to their baseline`, async () => {
      assert.equal((await srv.get("/ok")).status, 200);
      assert.ok(await eventually(async () => (await srv.connections()) === 0));
      const baseline = await settledResources();
      calls.length = 0;

      await repeat(bytes, status);

      let now: string[] = [];
      const settled = await eventually(async () => {
        now = await settledResources();
        return (await srv.connections()) === 0 && now.length <= baseline.length;
      });
      assert.ok(settled, `connections: ${await srv.connections()}; handles before: ${baseline.join(", ")}; after: ${now.join(", ")}`);
      assert.deepEqual(now, baseline);
      // Every handler that started has finished: none is left awaiting a body that never comes.
      const started = calls.filter((call) => call.endsWith("started")).length;
      assert.equal(calls.filter((call) => call.includes("failed")).length, started);
      await assertStillServes(srv, logger);
    });
  }
});
