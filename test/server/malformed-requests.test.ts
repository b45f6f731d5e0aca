// docs/reliability.md rows 1 and 2: a request line, HTTP version or Host header node:http cannot serve.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertStillServes, recordingApp } from "../support/recording-app.ts";
import { head, TestServer } from "../support/server.ts";

const { app, calls, logger } = recordingApp();

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

describe("row 1: a malformed request line or HTTP version gets 400 and a closed socket, and no handler runs", () => {
  const cases: Record<string, string> = {
    "no spaces at all": head("GARBAGE"),
    "a space inside the target": head("GET /o k HTTP/1.1", "Host: x"),
    "a NUL byte in the target": head("GET /ok\0 HTTP/1.1", "Host: x"),
    "a TLS ClientHello on the plain port": "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    "an unknown protocol name": head("GET /ok HTTX/1.1", "Host: x"),
    "HTTP/9.9": head("GET /ok HTTP/9.9", "Host: x"),
    "HTTP/1.2": head("GET /ok HTTP/1.2", "Host: x"),
    "HTTP/2.0 in an HTTP/1 request line": head("GET /ok HTTP/2.0", "Host: x"),
    "HTTP/0.9 spelled out": head("GET /ok HTTP/0.9", "Host: x"),
    "no version (an HTTP/0.9 simple request)": head("GET /ok", "Host: x"),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    test(name, async () => {
      calls.length = 0;
      const { response, connection } = await srv.send(bytes);
      assert.equal(response.status, 400);
      await connection.closedByServer();
      assert.deepEqual(calls, []);
      await assertStillServes(srv, logger);
    });
  }

  test("a malformed request after a good one on the same connection: 200, then 400 and closed", async () => {
    calls.length = 0;
    const { response: first, connection } = await srv.send(head("GET /ok HTTP/1.1", "Host: x") + head("GARBAGE"));
    assert.equal(first.status, 200);
    const second = await connection.response();
    assert.equal(second.status, 400);
    await connection.closedByServer();
    assert.deepEqual(calls, ["GET /ok"]);
    await assertStillServes(srv, logger);
  });
});

describe("row 2: HTTP/1.1 without Host gets 400", () => {
  test("no Host header", async () => {
    calls.length = 0;
    const { response, connection } = await srv.send(head("GET /ok HTTP/1.1", "Accept: */*"));
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(response.body), { detail: "Missing Host header" });
    await connection.closedByServer();
    assert.deepEqual(calls, []);
    await assertStillServes(srv, logger);
  });

  test("HTTP/1.0, which has no Host requirement, is still served", async () => {
    calls.length = 0;
    const { response, connection } = await srv.send(head("GET /ok HTTP/1.0"));
    assert.equal(response.status, 200);
    assert.equal(response.body, '{"ok":true}');
    await connection.closedByServer();
    assert.deepEqual(calls, ["GET /ok"]);
  });
});
