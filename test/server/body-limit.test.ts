// docs/reliability.md row 6: a body over the limit gets 413, refused from its declared length before a
// byte of it is read, or as soon as a chunked body crosses the limit, after which reading stops.
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { assertStillServes, recordingApp } from "../support/recording-app.ts";
import { head, TestServer, trickle } from "../support/server.ts";
import { Spry } from "spry";
import { z } from "zod";

const LIMIT = 1024;
const { app, calls, logger } = recordingApp({ bodyLimit: LIMIT });

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

const TOO_LARGE = { detail: `Request body is larger than ${LIMIT} bytes` };

function chunk(data: string): string {
  return `${data.length.toString(16)}\r\n${data}\r\n`;
}

function nextServerSocket(): Promise<Socket> {
  return new Promise((resolve) => srv.server.once("connection", resolve));
}

describe("row 6: a body over the limit gets 413", () => {
  test("a declared Content-Length over the limit is refused before a byte of the body is sent", async () => {
    calls.length = 0;
    // Only the head goes out: the answer cannot have waited for the body.
    const { response, connection } = await srv.send(head("POST /upload HTTP/1.1", "Host: x", `Content-Length: ${LIMIT + 1}`));
    assert.equal(response.status, 413);
    assert.deepEqual(JSON.parse(response.body), TOO_LARGE);
    await connection.closedByServer();
    assert.deepEqual(calls, [], "no handler runs");
    await assertStillServes(srv, logger);
  });

  test("a chunked body that crosses the limit gets 413, and the server stops reading and closes", async () => {
    calls.length = 0;
    const accepted = nextServerSocket();
    const connection = await srv.connect();
    const serverSide = await accepted;
    connection.write(head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + chunk("a".repeat(LIMIT)) + chunk("b".repeat(16)));
    // The client goes on sending as if the body had no end.
    trickle(connection, () => chunk("c".repeat(100)), 10);
    const response = await connection.response();
    assert.equal(response.status, 413);
    assert.deepEqual(JSON.parse(response.body), TOO_LARGE);
    assert.equal(response.headers.connection, "close");
    assert.deepEqual(calls, ["POST /upload started", "POST /upload failed: 413"]);

    // A megabyte more after the refusal is never read: the connection is closed instead.
    connection.write(chunk("d".repeat(1024 * 1024)));
    await connection.closedByServer();
    assert.ok(serverSide.destroyed);
    assert.ok(serverSide.bytesRead < 256 * 1024, `the server read ${serverSide.bytesRead} bytes`);
    await assertStillServes(srv, logger);
  });

  test("a body of exactly the limit is read whole, declared or chunked", async () => {
    calls.length = 0;
    const declared = await srv.send(head("POST /upload HTTP/1.1", "Host: x", `Content-Length: ${LIMIT}`) + "a".repeat(LIMIT));
    assert.equal(declared.response.status, 200);
    assert.deepEqual(JSON.parse(declared.response.body), { size: LIMIT });
    declared.connection.destroy();

    const chunked = await srv.send(head("POST /upload HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + chunk("a".repeat(LIMIT / 2)) + chunk("b".repeat(LIMIT / 2)) + "0\r\n\r\n");
    assert.equal(chunked.response.status, 200);
    assert.deepEqual(JSON.parse(chunked.response.body), { size: LIMIT });
    chunked.connection.destroy();
    assert.deepEqual(calls, ["POST /upload started", `POST /upload read ${LIMIT}`, "POST /upload started", `POST /upload read ${LIMIT}`]);
  });
});

// src/toolkit/node-request.ts keeps a body of one chunk as that chunk and makes a list only at
// the second: a body written in pieces, some time apart, is still read whole and in order.
describe("a body read in several chunks", () => {
  const echo = new Spry({ logger: false });
  echo.post("/echo", { item: z.object({ text: z.string() }) }, ({ item }) => item);
  let server: TestServer;
  before(async () => {
    server = await TestServer.start(echo);
  });
  after(() => server.close());

  test("comes whole and in order, chunked or at a declared length; an empty one is none", async () => {
    const text = "a".repeat(300) + "b".repeat(300) + "c".repeat(300);
    const json = JSON.stringify({ text });
    const parts = [json.slice(0, 10), json.slice(10, 400), json.slice(400)];
    for (const chunked of [true, false]) {
      const connection = await server.connect();
      connection.write(head("POST /echo HTTP/1.1", "Host: x", "Content-Type: application/json", chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${json.length}`));
      for (const part of parts) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        connection.write(chunked ? chunk(part) : part);
      }
      if (chunked) connection.write("0\r\n\r\n");
      const response = await connection.response();
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(JSON.parse(response.body), { text });
      connection.destroy();
    }
    const empty = await server.send(head("POST /echo HTTP/1.1", "Host: x", "Content-Type: application/json", "Content-Length: 0"));
    assert.equal(empty.response.status, 422);
    assert.equal(JSON.parse(empty.response.body).detail[0].type, "missing");
    empty.connection.destroy();
  });
});
