// docs/reliability.md row 5: a head trickled in gets 408 at the head timeout, a body trickled in gets 408
// at the request timeout. Order and outcome are asserted, never a duration.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertStillServes, recordingApp } from "../support/recording-app.ts";
import { eventually, head, TestServer, trickle, type RawConnection, type RawResponse } from "../support/server.ts";

const { app, calls, logger } = recordingApp();

let srv: TestServer;
before(async () => {
  // Far apart, so that which deadline answered shows in the order of the two 408s.
  srv = await TestServer.start(app, { headersTimeout: 300, requestTimeout: 2000 });
});
after(() => srv.close());

async function trickledHead(): Promise<RawConnection> {
  const connection = await srv.connect();
  connection.write("GET /ok HTTP/1.1\r\nHost: x\r\n");
  trickle(connection, (i) => `X-Line-${i}: ${i}\r\n`, 100);
  return connection;
}

async function trickledBody(): Promise<RawConnection> {
  const connection = await srv.connect();
  connection.write(head("POST /upload HTTP/1.1", "Host: x", "Content-Length: 1000"));
  trickle(connection, () => "x", 100);
  return connection;
}

async function assertTimedOut(connection: RawConnection): Promise<RawResponse> {
  const response = await connection.response();
  assert.equal(response.status, 408);
  assert.deepEqual(JSON.parse(response.body), { detail: "Request Timeout" });
  await connection.closedByServer();
  return response;
}

describe("row 5: trickled requests get 408", () => {
  test("a head trickled one line per 100 ms: 408, socket closed, no handler runs", async () => {
    calls.length = 0;
    await assertTimedOut(await trickledHead());
    assert.deepEqual(calls, []);
    await assertStillServes(srv, logger);
  });

  test("a body trickled one byte per 100 ms outlives the head timeout and gets 408 at the request timeout", async () => {
    calls.length = 0;
    const order: string[] = [];
    const [body, headOnly] = await Promise.all([trickledBody(), trickledHead()]);
    await Promise.all([
      assertTimedOut(body).then(() => order.push("body")),
      assertTimedOut(headOnly).then(() => order.push("head")),
    ]);
    assert.deepEqual(order, ["head", "body"]);
    // The body's handler started with the head, and its body read ended with the connection.
    assert.ok(await eventually(() => calls.length === 2));
    assert.deepEqual(calls, ["POST /upload started", "POST /upload failed: ClientDisconnected"]);
    await assertStillServes(srv, logger);
  });
});
