// The article's claim, proved by order: while slow requests await, a fast one is not delayed.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { serve, type Running } from "spry/server";
import { forEachTransport } from "../support/transports.ts";

process.env.SLOW_TASK_SECONDS = "0.5";
const { default: app } = await import("../../examples/seed/main.ts");

forEachTransport("the seed app", (connect) => {
  const client = connect(app);

  test("GET /fast_task/ answers the article's message", async () => {
    const res = await client.get("/fast_task/");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: "This is fast!" });
  });

  test("GET /slow_task/{item_id} returns the converted id and q", async () => {
    assert.deepEqual(await (await client.get("/slow_task/1?q=test")).json(), { item_id: 1, q: "test" });
    assert.deepEqual(await (await client.get("/slow_task/2")).json(), { item_id: 2, q: null });
  });

  test("a bad item_id is FastAPI's 422", async () => {
    const res = await client.get("/slow_task/abc");
    assert.equal(res.status, 422);
    assert.equal((await res.json()).detail[0].type, "int_parsing");
  });

  // Byte for byte what FastAPI 0.142.2 (pydantic 2.13.5) answered through its TestClient for
  // the same app written in Python, the seed article's original.
  test("its answers are FastAPI's, byte for byte", async () => {
    const fastapi: [string, number, string][] = [
      ["/slow_task/abc", 422, '{"detail":[{"type":"int_parsing","loc":["path","item_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}'],
      ["/slow_task/1.5", 422, '{"detail":[{"type":"int_parsing","loc":["path","item_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"1.5"}]}'],
      ["/slow_task/1?q=x", 200, '{"item_id":1,"q":"x"}'],
      ["/slow_task/", 404, '{"detail":"Not Found"}'],
      ["/fast_task/", 200, '{"message":"This is fast!"}'],
      ["/nope", 404, '{"detail":"Not Found"}'],
    ];
    for (const [path, status, body] of fastapi) {
      const res = await client.get(path);
      assert.deepEqual([path, res.status, await res.text(), res.headers.get("content-type")], [path, status, body, "application/json"]);
    }
  });

  test("with 50 slow requests in flight, a fast request completes before any slow one", async () => {
    const order: string[] = [];
    const slow = Array.from({ length: 50 }, (_, i) =>
      client.get(`/slow_task/${i}?q=test`).then(async (res) => {
        assert.equal(res.status, 200);
        order.push(`slow ${(await res.json()).item_id}`);
      }),
    );
    const fast = await client.get("/fast_task/");
    order.push("fast");
    assert.equal(fast.status, 200);
    await Promise.all(slow);
    assert.equal(order[0], "fast");
    assert.equal(order.length, 51);
  });
});

describe("the seed app over real sockets", () => {
  let running: Running;
  before(async () => {
    running = await serve(app, { port: 0, handleSignals: false });
  });
  after(() => running.close());

  function get(path: string, agent = false as const): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      request(`${running.url}${path}`, { agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      }).on("error", reject).end();
    });
  }

  test("50 slow requests on 50 connections do not hold back a fast one", async () => {
    const order: string[] = [];
    const slow = Array.from({ length: 50 }, (_, i) => get(`/slow_task/${i}`).then(() => order.push("slow")));
    const fast = await get("/fast_task/");
    order.push("fast");
    assert.deepEqual(JSON.parse(fast.body), { message: "This is fast!" });
    await Promise.all(slow);
    assert.equal(order[0], "fast");
    assert.equal(order.filter((o) => o === "slow").length, 50);
  });
});
