// docs/reliability.md row 4: a request head over 16 KiB, or with more than 2,000 header lines, gets 431.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Spry } from "spry";
import { defaultServerLimits } from "spry/server";
import { recordingLogger } from "../support/logger.ts";
import { head, TestServer } from "../support/server.ts";

const logger = recordingLogger();
const calls: number[] = [];
const app = new Spry({ logger });
app.get("/ok", (_, ctx) => {
  calls.push(ctx.headerValues("a").length);
  return { ok: true };
});

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

function withLines(count: number, line = "a:1"): string {
  return head("GET /ok HTTP/1.1", "Host: x", ...Array.from({ length: count }, () => line));
}

async function assertTooLarge(bytes: string): Promise<void> {
  calls.length = 0;
  const { response, connection } = await srv.send(bytes);
  assert.equal(response.status, 431);
  await connection.closedByServer();
  assert.deepEqual(calls, [], "no handler runs");
  const res = await srv.get("/ok");
  assert.equal(res.status, 200);
  assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
}

describe("row 4: an oversized request head gets 431", () => {
  test("the defaults are 16 KiB and 2,000 header lines", () => {
    assert.equal(defaultServerLimits.maxHeaderSize, 16 * 1024);
    assert.equal(defaultServerLimits.maxHeadersCount, 2000);
  });

  test("one header that takes the head past 16 KiB", async () => {
    await assertTooLarge(head("GET /ok HTTP/1.1", "Host: x", `X-Big: ${"a".repeat(16 * 1024)}`));
  });

  test("a head of 15,000 bytes is still served", async () => {
    calls.length = 0;
    const { response, connection } = await srv.send(head("GET /ok HTTP/1.1", "Host: x", `X-Big: ${"a".repeat(15_000)}`));
    assert.equal(response.status, 200);
    connection.destroy();
  });

  // Short lines, so that these heads stay far under 16 KiB and only the line count is at stake.
  test("2,001 header lines", async () => {
    const bytes = withLines(2000);
    assert.ok(bytes.length < 12 * 1024);
    await assertTooLarge(bytes);
  });

  test("10,000 empty header lines", async () => {
    await assertTooLarge(withLines(10_000, "a:"));
  });

  test("exactly 2,000 header lines are served, every one of them kept", async () => {
    calls.length = 0;
    const { response, connection } = await srv.send(withLines(1999));
    assert.equal(response.status, 200);
    assert.deepEqual(calls, [1999]);
    connection.destroy();
  });
});
