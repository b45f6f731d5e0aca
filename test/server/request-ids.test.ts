// The request id on every log line a request produces, not only on the access line: the app's
// own lines (through app.config.logger or a logger of its own that asks currentRequestId()),
// after awaits and timers, in dependencies' teardowns and in background tasks that run after
// the response; never another request's, and none outside a request.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { Spry, currentRequestId, depends } from "spry";
import { requestScopes } from "../../src/common/request-facts.ts";
import { recordingLogger } from "../support/logger.ts";
import { eventually, TestServer } from "../support/server.ts";

const skip = !requestScopes && "request scopes are entered on Node 24 and later only (src/common/request-facts.ts)";
const log = recordingLogger();
const app = new Spry({ logger: log });
const seenInside: (string | undefined)[] = [];

const session = depends(function* () {
  yield "session";
  log.info({ step: "teardown" }, "closing the session");
  throw new Error("teardown failed");
});

app.get("/work/{n}", async ({ n }: { n: string }) => {
  app.config.logger.info({ step: "start", n }, "working");
  await delay(Number(n));
  seenInside.push(currentRequestId());
  app.config.logger.info({ step: "after the wait", n }, "still working");
  return { n };
});
app.get("/teardown", (_, { tasks }) => {
  tasks.add(async function failsLater() {
    await delay(5);
    throw new Error("task failed");
  });
  return "ok";
}, { dependencies: [session] });
app.get("/own-id", () => {
  app.config.logger.info({ requestId: "chosen-by-the-line" }, "a line naming its own id");
  return "ok";
});

let srv: TestServer;
after(() => srv?.close());

describe("request ids on the app's lines", { skip }, () => {
  test("each line a request logs, before and after an await, names that request's id; concurrent requests never mix", async () => {
    srv = await TestServer.start(app);
    const responses = await Promise.all([srv.get("/work/30"), srv.get("/work/5", { "x-request-id": "trusted-7" }), srv.get("/work/15")]);
    const ids = responses.map((r) => r.headers["x-request-id"] as string);
    assert.equal(ids[1], "trusted-7");
    assert.equal(new Set(ids).size, 3);
    for (const [i, n] of ["30", "5", "15"].entries()) {
      const lines = log.entries.filter((e) => e.fields.n === n);
      assert.deepEqual(lines.map((e) => [e.fields.step, e.fields.requestId]), [["start", ids[i]], ["after the wait", ids[i]]]);
    }
    assert.deepEqual([...seenInside].sort(), [...ids].sort());
  });

  test("a failed teardown and a failed background task, after the response, are logged with the request's id", async () => {
    const response = await srv.get("/teardown");
    assert.equal(response.status, 200);
    const id = response.headers["x-request-id"];
    assert.ok(await eventually(() => log.entries.some((e) => e.fields.task === "failsLater")));
    const teardown = log.entries.find((e) => e.level === "error" && (e.fields.err as Error | undefined)?.message === "teardown failed");
    const task = log.entries.find((e) => e.fields.task === "failsLater")!;
    assert.ok(teardown, JSON.stringify(log.entries.map((e) => e.message)));
    assert.equal(teardown.fields.requestId, id);
    assert.equal(task.fields.requestId, id);
    assert.equal((task.fields.err as Error).message, "task failed");
  });

  // serve() enters each request's scope without leaving it (src/server/serve.ts): node's
  // callback scope around the "request" event puts the previous one back. Pipelined requests
  // arrive in one read, so their listeners run in one such scope, one after the other.
  test("pipelined requests on one connection, parsed in one read, each keep their own id; what runs after them outside a request gets none", async () => {
    const connection = await srv.connect();
    const seenByNewConnection: (string | undefined)[] = [];
    const onConnection = () => {
      seenByNewConnection.push(currentRequestId());
      setTimeout(() => seenByNewConnection.push(currentRequestId()), 1);
    };
    srv.server.on("connection", onConnection);
    try {
      const request = (n: string, id: string) => `GET /work/${n} HTTP/1.1\r\nhost: x\r\nx-request-id: ${id}\r\n\r\n`;
      connection.write(request("25", "pipe-a") + request("1", "pipe-b") + request("10", "pipe-c"));
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await connection.response()).headers["x-request-id"]);
      assert.deepEqual(ids, ["pipe-a", "pipe-b", "pipe-c"]);
      for (const [n, id] of [["25", "pipe-a"], ["1", "pipe-b"], ["10", "pipe-c"]]) {
        const lines = log.entries.filter((e) => e.fields.n === n && (e.fields.requestId as string).startsWith("pipe-"));
        assert.deepEqual(lines.map((e) => [e.fields.step, e.fields.requestId]), [["start", id], ["after the wait", id]]);
      }
      await srv.get("/work/1");
      assert.ok(await eventually(() => seenByNewConnection.length === 2));
      assert.deepEqual(seenByNewConnection, [undefined, undefined]);
    } finally {
      srv.server.off("connection", onConnection);
    }
  });

  test("a line that names its own id keeps it; lines outside any request get none", async () => {
    await srv.get("/own-id");
    assert.equal(log.entries.find((e) => e.message === "a line naming its own id")!.fields.requestId, "chosen-by-the-line");
    app.config.logger.info({ step: "outside" }, "between requests");
    assert.equal("requestId" in log.entries.at(-1)!.fields, false);
    assert.equal(currentRequestId(), undefined);
  });
});
