// docs/reliability.md row 3: framing a front proxy and node:http could read differently is refused
// with 400, and a request smuggled inside the body never reaches a route.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertStillServes, recordingApp } from "../support/recording-app.ts";
import { eventually, head, TestServer } from "../support/server.ts";

const { app, calls, logger } = recordingApp();

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

const SMUGGLED = head("GET /secret HTTP/1.1", "Host: x");

async function assertRefused(bytes: string): Promise<void> {
  const { response, connection } = await srv.send(bytes);
  assert.equal(response.status, 400);
  assert.deepEqual(JSON.parse(response.body), { detail: "Bad Request" });
  await connection.closedByServer();
  assert.equal(connection.unread, "", "a single response, nothing after it");
}

describe("row 3: ambiguous request framing gets 400; a smuggled request never reaches a route", () => {
  const framing: Record<string, string> = {
    "Content-Length with Transfer-Encoding (CL.TE)":
      head("POST /upload HTTP/1.1", "Host: x", `Content-Length: ${5 + SMUGGLED.length}`, "Transfer-Encoding: chunked") + "0\r\n\r\n" + SMUGGLED,
    "Transfer-Encoding with Content-Length (TE.CL)":
      head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Content-Length: 4") + `${(SMUGGLED.length + 1).toString(16)}\r\n${SMUGGLED}x\r\n0\r\n\r\n`,
    "two different Content-Lengths":
      head("POST /upload HTTP/1.1", "Host: x", "Content-Length: 5", `Content-Length: ${5 + SMUGGLED.length}`) + "hello" + SMUGGLED,
    "two different Content-Lengths in one field":
      head("POST /upload HTTP/1.1", "Host: x", `Content-Length: 5, ${5 + SMUGGLED.length}`) + "hello" + SMUGGLED,
  };
  for (const [name, bytes] of Object.entries(framing)) {
    test(`${name}: no handler runs`, async () => {
      calls.length = 0;
      await assertRefused(bytes);
      assert.deepEqual(calls, []);
      await assertStillServes(srv, logger);
    });
  }

  const chunkSizes: Record<string, string> = {
    "not hexadecimal": "zz",
    negative: "-5",
    "overflowing 64 bits": "1ffffffffffffffff",
    "followed by junk": "5 x",
  };
  for (const [name, size] of Object.entries(chunkSizes)) {
    test(`a bad chunk size, ${name}: the handler never gets a body`, async () => {
      calls.length = 0;
      await assertRefused(head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + `${size}\r\nhello\r\n0\r\n\r\n` + SMUGGLED);
      // The head was valid, so the handler started; its body read ends with the connection.
      assert.ok(await eventually(() => calls.length === 2));
      assert.deepEqual(calls, ["POST /upload started", "POST /upload failed: ClientDisconnected"]);
      await assertStillServes(srv, logger);
    });
  }

  test("the same smuggled request in a well-framed body is only ever body bytes", async () => {
    calls.length = 0;
    const body = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
    const { response, connection } = await srv.send(head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Connection: close") + body);
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), { size: SMUGGLED.length });
    await connection.closedByServer();
    assert.deepEqual(calls, ["POST /upload started", `POST /upload read ${SMUGGLED.length}`]);
  });
});

// docs/reliability.md row 35.
describe("Transfer-Encoding other than a single chunked, and a second Host: refused, the connection closed", () => {
  async function assertRefusedWith(bytes: string, status: number, detail: RegExp): Promise<void> {
    calls.length = 0;
    const { response, connection } = await srv.send(bytes);
    assert.equal(response.status, status);
    assert.match((JSON.parse(response.body) as { detail: string }).detail, detail);
    assert.equal(response.headers.connection, "close");
    await connection.closedByServer();
    assert.equal(connection.unread, "", "a single response, nothing after it");
    assert.deepEqual(calls, [], "no route ran, the smuggled one included");
    await assertStillServes(srv, logger);
  }
  const chunked = (codings: string[]) => head("POST /upload HTTP/1.1", "Host: x", ...codings.map((c) => `Transfer-Encoding: ${c}`)) + "0\r\n\r\n" + SMUGGLED;

  for (const codings of [["identity, chunked"], ["gzip, chunked"], ["deflate,chunked"], ["identity", "chunked"], ["identity"], ["gzip"]]) {
    test(`Transfer-Encoding: ${codings.join(" + ")}: 501, and the request after it never runs`, async () => {
      await assertRefusedWith(chunked(codings), 501, /^Transfer-Encoding ".*" is not supported/);
    });
  }
  for (const value of ["chunked, identity", "gzip, chunked, identity", "chunked, chunked"]) {
    test(`Transfer-Encoding: ${value} (chunked not last, or twice): 400 from the parser`, async () => {
      calls.length = 0;
      const { response, connection } = await srv.send(head("POST /upload HTTP/1.1", "Host: x", `Transfer-Encoding: ${value}`) + "0\r\n\r\n" + SMUGGLED);
      assert.equal(response.status, 400);
      await connection.closedByServer();
      assert.equal(connection.unread, "");
      assert.deepEqual(calls, []);
      await assertStillServes(srv, logger);
    });
  }
  test("Transfer-Encoding: Chunked (any case) is served", async () => {
    calls.length = 0;
    const { response } = await srv.send(head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: Chunked", "Connection: close") + "5\r\nhello\r\n0\r\n\r\n");
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), { size: 5 });
  });

  for (const hosts of [["a.example", "b.example"], ["x", "x"]]) {
    test(`two Host headers (${hosts.join(", ")}): 400, and a request pipelined after it never runs`, async () => {
      await assertRefusedWith(head("GET /ok HTTP/1.1", ...hosts.map((h) => `Host: ${h}`)) + SMUGGLED, 400, /^More than one Host header$/);
    });
  }
});
