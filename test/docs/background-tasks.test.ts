// docs/examples/background-tasks.ts does what docs/background-tasks.md says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { TestClient } from "spry/testing";
import app, { audit, sent } from "../../docs/examples/background-tasks.ts";

// The order is seen from the server, where it is decided: node:http's "finish" (the last
// byte handed to the socket) against the moment each task does its work. The client cannot
// see it: its response arrives after tasks this quick have long run.
test("the response is sent first; the dependency's and the handler's tasks run after it, in order", async () => {
  audit.length = 0;
  sent.length = 0;
  const timeline: string[] = [];
  const watch = (list: string[], name: string) => {
    const push = list.push.bind(list);
    const watched = (...items: string[]) => (timeline.push(name), push(...items));
    Object.defineProperty(list, "push", { value: watched, configurable: true, enumerable: false });
    return () => void delete (list as { push?: unknown }).push;
  };
  const unwatch = [watch(audit, "audit task"), watch(sent, "welcome task")];
  const server = createServer((req, res) => {
    res.once("finish", () => timeline.push("response sent"));
    app.handleNode(req, res);
  });
  try {
    await app.startup();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@example.com", name: "Ada" }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { created: "ada@example.com" });
    await app.shutdown(); // waits for pending tasks
    assert.deepEqual(timeline, ["response sent", "audit task", "welcome task"]);
    assert.deepEqual(audit, ["POST /users"]);
    assert.deepEqual(sent, ["Welcome, Ada <ada@example.com>"]);
  } finally {
    for (const restore of unwatch) restore();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a bad request runs no task: the route's 422 comes before the handler", async () => {
  sent.length = 0;
  const client = await TestClient.open(app);
  assert.equal((await client.post("/users", { json: { email: "nope", name: "Ada" } })).status, 422);
  await client.close();
  assert.deepEqual(sent, []);
});
