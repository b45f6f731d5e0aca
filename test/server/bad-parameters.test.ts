// docs/reliability.md rows 13 and 14 over a real socket: a path parameter that is not an integer, or
// beyond 2^53, gets 422; bad percent-encoding in the path or the query gets 400.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { TestServer } from "../support/server.ts";

const logger = recordingLogger();
const calls: string[] = [];
const app = new Spry({ logger });
app.get("/items/{item_id}", { item_id: z.int() }, ({ item_id }) => {
  calls.push(`item ${item_id}`);
  return { item_id };
});
app.get("/search", { q: z.string() }, ({ q }) => {
  calls.push(`search ${q}`);
  return { q };
});

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

async function assertStillServes(): Promise<void> {
  calls.length = 0;
  const res = await srv.get("/items/5");
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { item_id: 5 });
  assert.deepEqual(calls, ["item 5"]);
  assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
}

describe("row 13: a path parameter that is not a safe integer gets 422", () => {
  test("/items/abc: 422 at loc path.item_id", async () => {
    calls.length = 0;
    const res = await srv.get("/items/abc");
    assert.equal(res.status, 422);
    assert.equal(res.headers["content-type"], "application/json");
    const { detail } = JSON.parse(res.body) as { detail: { type: string; loc: unknown[]; input: unknown }[] };
    assert.equal(detail.length, 1);
    assert.deepEqual(detail[0]!.loc, ["path", "item_id"]);
    assert.equal(detail[0]!.input, "abc");
    assert.deepEqual(calls, []);
    await assertStillServes();
  });

  for (const big of ["9007199254740993", "99999999999999999999", "1e300"]) {
    test(`/items/${big} is refused, never answered with a rounded number`, async () => {
      calls.length = 0;
      const res = await srv.get(`/items/${big}`);
      assert.equal(res.status, 422);
      const { detail } = JSON.parse(res.body) as { detail: { loc: unknown[] }[] };
      assert.deepEqual(detail.map((d) => d.loc), [["path", "item_id"]]);
      assert.deepEqual(calls, []);
      await assertStillServes();
    });
  }

  test("the largest safe integer, 2^53 - 1, is served exactly", async () => {
    const res = await srv.get("/items/9007199254740991");
    assert.equal(res.status, 200);
    assert.equal(res.body, '{"item_id":9007199254740991}');
  });
});

describe("row 14: bad percent-encoding gets 400 with a JSON body", () => {
  const cases: Record<string, string> = {
    "in a path parameter": "/items/%zz",
    "in a static path": "/sea%zzrch?q=a",
    "a truncated escape in the path": "/items/1%2",
    "in a query value": "/search?q=%zz",
    "in a query key": "/search?q=a&%zz=1",
    "a truncated escape in the query": "/search?q=%e",
  };
  for (const [name, path] of Object.entries(cases)) {
    test(`${name}: ${path}`, async () => {
      calls.length = 0;
      const res = await srv.get(path);
      assert.equal(res.status, 400);
      assert.equal(res.headers["content-type"], "application/json");
      const { detail } = JSON.parse(res.body) as { detail: string };
      assert.match(detail, /percent-encoding/);
      assert.deepEqual(calls, []);
      await assertStillServes();
    });
  }

  test("well-formed escapes are decoded", async () => {
    const res = await srv.get("/search?q=%41%20b");
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { q: "A b" });
  });
});
