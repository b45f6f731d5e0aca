import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { test } from "node:test";
import { Spry, depends } from "spry";
import { serve } from "spry/server";
import { TestClient } from "spry/testing";

function makeApp(events: string[]) {
  const app = new Spry({
    logger: false,
    async *lifespan() {
      events.push("lifespan setup");
      const pool = { queries: 0, closed: false };
      yield { pool };
      pool.closed = true;
      events.push("lifespan teardown");
    },
  });
  app.onStartup(() => void events.push("startup hook"));
  app.onShutdown(() => void events.push("shutdown hook 1"));
  app.onShutdown(() => void events.push("shutdown hook 2"));
  const db = depends(() => app.state.pool);
  app.get("/q", { db }, ({ db }) => ++db.queries);
  return app;
}

test("TestClient.open runs the lifespan; close runs the shutdown in reverse order", async () => {
  const events: string[] = [];
  const app = makeApp(events);
  assert.throws(() => app.state, /read before the app started.*`await TestClient.open\(app\)`/);
  const client = await TestClient.open(app);
  assert.deepEqual(events, ["lifespan setup", "startup hook"]);
  assert.equal(await (await client.get("/q")).json(), 1);
  assert.equal(await (await client.get("/q")).json(), 2);
  const pool = app.state.pool;
  await client.close();
  assert.deepEqual(events, ["lifespan setup", "startup hook", "shutdown hook 2", "shutdown hook 1", "lifespan teardown"]);
  assert.equal(pool.closed, true);
  assert.throws(() => app.state);
});

test("the state is typed from what the lifespan yields", () => {
  const app = makeApp([]);
  const check: (s: typeof app.state) => number = (s) => s.pool.queries;
  assert.equal(typeof check, "function");
});

function parses(code: string): boolean {
  try {
    new Function(code);
    return true;
  } catch {
    return false;
  }
}

test("await using closes the client", { skip: parses("async () => { await using x = null; }") ? false : `Node ${process.version} cannot parse await using` }, async () => {
  const events: string[] = [];
  const { getThenLeave } = await import("./await-using.ts");
  assert.equal(await getThenLeave(makeApp(events), "/q"), 200);
  assert.equal(events.at(-1), "lifespan teardown");
});

test("Symbol.asyncDispose, what await using calls, closes the client", async () => {
  const events: string[] = [];
  const client = await TestClient.open(makeApp(events));
  assert.equal((await client.get("/q")).status, 200);
  await client[Symbol.asyncDispose]();
  assert.equal(events.at(-1), "lifespan teardown");
});

test("serve() starts the app before listening and stops it after closing", async () => {
  const events: string[] = [];
  const app = makeApp(events);
  const running = await serve(app, { port: 0, handleSignals: false });
  assert.deepEqual(events, ["lifespan setup", "startup hook"]);
  const body = await new Promise<string>((resolve, reject) => {
    request(`${running.url}/q`, { agent: false }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve(text));
    }).on("error", reject).end();
  });
  assert.equal(body, "1");
  await running.close();
  assert.equal(events.at(-1), "lifespan teardown");
});

test("a failing startup stops serve() before it listens", async () => {
  const app = new Spry({
    logger: false,
    async *lifespan() {
      throw new Error("database unreachable");
    },
  });
  // A port known to be free, so that "nothing listens on it afterwards" can be checked.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const listening = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
  const before = listening();
  await assert.rejects(serve(app, { port, host: "127.0.0.1", handleSignals: false }), /database unreachable/);
  assert.equal(listening(), before, "no server handle is left open");
  const refused = await new Promise<string>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
  assert.equal(refused, "ECONNREFUSED", "nothing listens on the port");
  // ...and the port can be taken again at once.
  const again = createServer();
  await new Promise<void>((resolve, reject) => again.once("error", reject).listen(port, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => again.close(() => resolve()));
});

test("startup and shutdown run once however often they are asked", async () => {
  const events: string[] = [];
  const app = makeApp(events);
  await Promise.all([app.startup(), app.startup()]);
  await app.shutdown();
  await app.shutdown();
  assert.deepEqual(events.filter((e) => e === "lifespan setup").length, 1);
  assert.deepEqual(events.filter((e) => e === "lifespan teardown").length, 1);
});

test("ctx.state starts as a shallow copy of the lifespan's state for each request, as Starlette's request.state", async () => {
  for (const transport of ["node", "fetch"] as const) {
    const app = new Spry({ logger: false, async *lifespan() { yield { counter: { n: 0 }, name: "svc" }; } });
    app.use(async (request, next) => {
      // Middleware adds to this request's state; a key it overwrites stays with this request.
      request.state.user = "ada";
      const before = request.state.name;
      request.state.name = "this request's";
      const res = await next();
      res.headers["x-name-before"] = String(before);
      return res;
    });
    app.get("/state", (_inputs, { state }) => {
      const counter = state.counter as { n: number };
      counter.n += 1; // the objects held are the app's own, shared by every request
      return { n: counter.n, name: state.name, user: state.user };
    });
    app.get("/plain", (_inputs, { state }) => ({ keys: Object.keys(state).sort() }));
    const client = await TestClient.open(app, { transport });
    const first = await client.get("/state");
    assert.deepEqual(await first.json(), { n: 1, name: "this request's", user: "ada" });
    const second = await client.get("/state");
    assert.deepEqual(await second.json(), { n: 2, name: "this request's", user: "ada" });
    assert.equal(second.headers.get("x-name-before"), "svc");
    assert.deepEqual((app.state as { name: string }).name, "svc");
    assert.deepEqual(await (await client.get("/plain")).json(), { keys: ["counter", "name", "user"] });
    await client.close();
    // Before the lifespan ran, or without one, a request's state starts empty.
    const plain = new Spry({ logger: false });
    plain.get("/keys", (_inputs, { state }) => Object.keys(state));
    assert.deepEqual(await (await new TestClient(plain, { transport }).get("/keys")).json(), []);
  }
});

test("ctx.app is the app: its state from the request, on both entry points; before startup it names the fix", async () => {
  for (const transport of ["node", "fetch"] as const) {
    const app = new Spry({ logger: false, async *lifespan() { yield { greeting: "hi" }; } });
    app.get("/state", (_inputs, ctx) => ({ same: ctx.app === (app as unknown), greeting: (ctx.app.state as unknown as { greeting: string }).greeting }));
    const client = await TestClient.open(app, { transport });
    assert.deepEqual(await (await client.get("/state")).json(), { same: true, greeting: "hi" });
    await client.close();
    const stopped = await new TestClient(app, { transport }).get("/state");
    assert.equal(stopped.status, 500);
  }
});
