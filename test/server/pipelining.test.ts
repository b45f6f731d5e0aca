// docs/reliability.md row 21: requests pipelined on one connection get their responses in order, even
// when their handlers finish in another order.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { head, TestServer } from "../support/server.ts";

const logger = recordingLogger();
const events: string[] = [];
// The first handler cannot finish before the third has run: its response is ready last.
let thirdRan: () => void = () => {};
let third: Promise<void> = Promise.resolve();
beforeEach(() => {
  events.length = 0;
  third = new Promise((resolve) => (thirdRan = resolve));
});

const app = new Spry({ logger });
app.get("/first", async () => {
  await third;
  events.push("first");
  return { n: 1 };
});
app.post("/second", async (_, ctx) => {
  const body = Buffer.from(await ctx.body()).toString();
  events.push("second");
  return { n: 2, body };
});
app.get("/third", () => {
  events.push("third");
  thirdRan();
  return { n: 3 };
});

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

const FIRST = head("GET /first HTTP/1.1", "Host: x");
const SECOND = head("POST /second HTTP/1.1", "Host: x", "Content-Length: 5") + "hello";
const THIRD = head("GET /third HTTP/1.1", "Host: x");

describe("row 21: pipelined requests", () => {
  test("three requests in one write get three responses, in order", async () => {
    const connection = await srv.connect();
    connection.write(FIRST + SECOND + THIRD);
    const bodies = [];
    for (let i = 0; i < 3; i++) {
      const response = await connection.response();
      assert.equal(response.status, 200);
      bodies.push(JSON.parse(response.body));
    }
    assert.deepEqual(bodies, [{ n: 1 }, { n: 2, body: "hello" }, { n: 3 }]);
    assert.equal(events.indexOf("third") < events.indexOf("first"), true, `handlers finished in the order ${events.join(", ")}`);
    assert.equal(connection.unread, "");
    assert.equal(connection.closed, false, "the connection stays open for more");

    connection.write(head("GET /third HTTP/1.1", "Host: x"));
    assert.deepEqual(JSON.parse((await connection.response()).body), { n: 3 });
    connection.destroy();
  });

  test("the last request's Connection: close closes the connection after all three responses", async () => {
    const connection = await srv.connect();
    connection.write(FIRST + SECOND + head("GET /third HTTP/1.1", "Host: x", "Connection: close"));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await connection.response()).status);
    assert.deepEqual(statuses, [200, 200, 200]);
    await connection.closedByServer();
    assert.equal(connection.unread, "");
  });

  test("an unparsable request pipelined after valid ones: their responses first, then 400 and close", async () => {
    const connection = await srv.connect();
    connection.write(FIRST + THIRD + head("GARBAGE") + THIRD);
    const first = await connection.response();
    const second = await connection.response();
    const refusal = await connection.response();
    assert.deepEqual([first.status, JSON.parse(first.body)], [200, { n: 1 }]);
    assert.deepEqual([second.status, JSON.parse(second.body)], [200, { n: 3 }]);
    assert.equal(refusal.status, 400);
    await connection.closedByServer();
    assert.deepEqual(events, ["third", "first"], "nothing after the bad request is served");
    assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
  });
});
