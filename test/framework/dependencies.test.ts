import assert from "node:assert/strict";
import { connect } from "node:net";
import { once } from "node:events";
import { test } from "node:test";
import { z } from "zod";
import { HTTPException, Router, Spry, depends, header, sleep, uncached } from "spry";
import { serve } from "spry/server";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

forEachTransport("dependencies", (connect) => {
  test("a dependency declares inputs like a route and hands its value to the route", async () => {
    const app = new Spry({ logger: false });
    const pagination = depends({ skip: z.int().default(0), limit: z.int().max(100).default(10) }, ({ skip, limit }) => ({ skip, limit }));
    app.get("/items/", { page: pagination, q: z.string().optional() }, ({ page, q }) => ({ page, q }));
    const client = connect(app);
    assert.deepEqual(await (await client.get("/items/?skip=5&q=x")).json(), { page: { skip: 5, limit: 10 }, q: "x" });
  });

  test("sub-dependencies to any depth; each runs once per request, shared by all who ask", async () => {
    const calls: string[] = [];
    const config = depends(() => (calls.push("config"), { prefix: "v" }));
    const db = depends({ config }, async ({ config }) => (calls.push("db"), `${config.prefix}-db`));
    const repo = depends({ db, config }, ({ db }) => (calls.push("repo"), `${db}-repo`));
    const service = depends({ repo, db }, ({ repo, db }) => (calls.push("service"), `${repo}+${db}`));
    const app = new Spry({ logger: false });
    app.get("/s", { service, repo, config }, (inputs) => inputs);
    const res = await connect(app).get("/s");
    assert.deepEqual(await res.json(), { service: "v-db-repo+v-db", repo: "v-db-repo", config: { prefix: "v" } });
    assert.deepEqual(calls, ["config", "db", "repo", "service"]);
    calls.length = 0;
    await connect(app).get("/s");
    assert.deepEqual(calls, ["config", "db", "repo", "service"], "once per request, not once per app");
  });

  test("uncached() runs a dependency again for that use", async () => {
    let n = 0;
    const counter = depends(() => ++n);
    const app = new Spry({ logger: false });
    app.get("/c", { a: counter, b: counter, c: uncached(counter) }, (inputs) => inputs);
    assert.deepEqual(await (await connect(app).get("/c")).json(), { a: 1, b: 1, c: 2 });
  });

  test("a dependency's input errors join the route's 422 list, and nothing runs", async () => {
    let ran = false;
    const token = depends({ x_token: header(z.string()), level: z.int() }, () => (ran = true));
    const app = new Spry({ logger: false });
    app.get("/items/{item_id}", { item_id: z.int(), token }, () => "ok");
    const res = await connect(app).get("/items/abc?level=high");
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["path", "item_id"], ["header", "x-token"], ["query", "level"]]);
    assert.equal(ran, false);
  });

  test("a dependency can read path parameters and the request context", async () => {
    const owner = depends({ user_id: z.int() }, ({ user_id }, ctx) => ({ user_id, method: ctx.method }));
    const app = new Spry({ logger: false });
    app.get("/users/{user_id}/items", { owner }, ({ owner }) => owner);
    assert.deepEqual(await (await connect(app).get("/users/7/items")).json(), { user_id: 7, method: "GET" });
  });

  test("a dependency that throws HTTPException answers for the route; the handler never runs", async () => {
    let handled = false;
    const auth = depends({ authorization: header(z.string().optional()) }, ({ authorization }) => {
      if (authorization !== "Bearer good") throw new HTTPException(401, "Not authenticated", { "www-authenticate": "Bearer" });
      return "alice";
    });
    const app = new Spry({ logger: false });
    app.get("/me", { user: auth }, ({ user }) => ((handled = true), user));
    const client = connect(app);
    const denied = await client.get("/me");
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), "Bearer");
    assert.equal(handled, false);
    assert.equal(await (await client.get("/me", { headers: { authorization: "Bearer good" } })).json(), "alice");
  });

  test("teardown: reverse order of setup; function scope before the response, request scope after", async () => {
    const events: string[] = [];
    const outer = depends(async function* outer() {
      events.push("outer setup");
      yield "outer";
      events.push("outer teardown");
    });
    const inner = depends({ outer }, function* inner() {
      events.push("inner setup");
      yield "inner";
      events.push("inner teardown");
    }, { scope: "function" });
    const last = depends({ inner }, async function* last() {
      events.push("last setup");
      yield "last";
      events.push("last teardown");
    });
    const app = new Spry({ logger: false });
    app.get("/t", { last }, () => (events.push("handler"), "ok"));
    const res = await connect(app).get("/t");
    events.push("response");
    assert.equal(await res.json(), "ok");
    await settle(() => events.length >= 8);
    assert.deepEqual(events.slice(0, 5), ["outer setup", "inner setup", "last setup", "handler", "inner teardown"]);
    assert.deepEqual(events.filter((e) => e.endsWith("teardown")), ["inner teardown", "last teardown", "outer teardown"]);
  });

  test("when the handler throws, teardowns run, see the error, and the 500 is sent", async () => {
    const seen: unknown[] = [];
    const tx = depends(async function* transaction() {
      try {
        yield "tx";
        seen.push("commit");
      } catch (error) {
        seen.push(`rollback: ${(error as Error).message}`);
        throw error;
      }
    });
    const app = new Spry({ logger: false });
    app.get("/boom", { tx }, () => {
      throw new Error("handler failed");
    });
    app.get("/fine", { tx }, () => "ok");
    const client = connect(app);
    assert.equal((await client.get("/boom")).status, 500);
    assert.equal((await client.get("/fine")).status, 200);
    await settle(() => seen.length >= 2);
    assert.deepEqual(seen, ["rollback: handler failed", "commit"]);
  });

  test("a function-scope teardown error becomes the response; a request-scope one is logged", async () => {
    const logger = recordingLogger();
    const strict = depends(function* () {
      yield 1;
      throw new HTTPException(409, "Commit failed");
    }, { scope: "function" });
    const late = depends(function* () {
      yield 1;
      throw new Error("late cleanup failed");
    });
    const app = new Spry({ logger });
    app.get("/strict", { strict }, () => "handler result");
    app.get("/late", { late }, () => "handler result");
    const client = connect(app);
    const res = await client.get("/strict");
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), { detail: "Commit failed" });
    const ok = await client.get("/late");
    assert.equal(await ok.json(), "handler result");
    await settle(() => logger.entries.some((e) => e.level === "error"));
    const errors = logger.entries.filter((e) => e.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.fields.route, "GET /late");
  });

  test("a dependency that fails after others were set up tears those down", async () => {
    const events: string[] = [];
    const first = depends(function* () {
      // The error is thrown in at the yield: as in FastAPI, only `finally` code runs then.
      try {
        yield "first";
      } finally {
        events.push("first teardown");
      }
    }, { scope: "function" });
    const second = depends({ first }, () => {
      throw new HTTPException(403, "Forbidden");
    });
    const app = new Spry({ logger: false });
    app.get("/f", { second }, () => "never");
    assert.equal((await connect(app).get("/f")).status, 403);
    assert.deepEqual(events, ["first teardown"]);
  });

  test("app, router and route dependencies run in that order, for their effects", async () => {
    const order: string[] = [];
    const mark = (name: string) => depends(() => void order.push(name), { name });
    const app = new Spry({ logger: false, dependencies: [mark("app")] });
    const router = new Router({ prefix: "/r", dependencies: [mark("router")] });
    router.get("/x", () => order.push("handler"), { dependencies: [mark("route")] });
    app.include(router, { dependencies: [mark("include")] });
    await connect(app).get("/r/x");
    assert.deepEqual(order, ["app", "include", "router", "route", "handler"]);
    order.length = 0;
    await connect(app).get("/docs");
    assert.deepEqual(order, [], "the docs are not behind the app's dependencies");
  });

  test("dependencyOverrides replace a dependency, with inputs of their own, until cleared", async () => {
    const currentUser = depends({ authorization: header(z.string()) }, ({ authorization }) => ({ name: authorization }));
    const app = new Spry({ logger: false });
    app.get("/me", { user: currentUser }, ({ user }) => user);
    const client = connect(app);
    assert.equal((await client.get("/me")).status, 422);
    app.dependencyOverrides.set(currentUser, depends({ as: z.string().default("tester") }, ({ as }) => ({ name: as })));
    assert.deepEqual(await (await client.get("/me")).json(), { name: "tester" });
    assert.deepEqual(await (await client.get("/me?as=ada")).json(), { name: "ada" });
    app.dependencyOverrides.clear();
    assert.deepEqual(await (await client.get("/me", { headers: { authorization: "bob" } })).json(), { name: "bob" });
  });

  test("an override may be a plain function, as in FastAPI, sync, async or a generator with teardown", async () => {
    const currentUser = depends({ authorization: header(z.string()) }, ({ authorization }) => ({ name: authorization }));
    const app = new Spry({ logger: false });
    app.get("/me", { user: currentUser }, ({ user }) => user);
    const client = connect(app);
    app.dependencyOverrides.set(currentUser, () => ({ name: "plain" }));
    assert.deepEqual(await (await client.get("/me")).json(), { name: "plain" });
    app.dependencyOverrides.set(currentUser, async (_inputs, ctx) => ({ name: ctx.method }));
    assert.deepEqual(await (await client.get("/me")).json(), { name: "GET" });
    const released: string[] = [];
    app.dependencyOverrides.set(currentUser, function* () {
      yield { name: "held" };
      released.push("released");
    });
    assert.deepEqual(await (await client.get("/me")).json(), { name: "held" });
    assert.deepEqual(released, ["released"]);
  });
});

test("a wrong override is refused at set(), never as a 500 on the first request", () => {
  const app = new Spry({ logger: false });
  const real = depends(function currentUser() { return { name: "real" }; });
  assert.throws(() => app.dependencyOverrides.set(real, { name: "x" } as never), /replacement for currentUser must be a function or a dependency, got object/);
  assert.throws(() => app.dependencyOverrides.set((() => 1) as never, () => 1), /first argument is not a dependency/);
  assert.equal(app.dependencyOverrides.size, 0);
});

test("a dependency cycle is an error when the route is declared", () => {
  const aInputs: Record<string, unknown> = {};
  const a = depends(aInputs as {}, () => 1, { name: "a" });
  const b = depends({ a }, () => 2, { name: "b" });
  aInputs.b = b;
  const app = new Spry({ logger: false });
  assert.throws(() => app.get("/cycle", { a }, () => null), /Dependency cycle: a -> b -> a/);
});

test("dependency inputs appear in the OpenAPI document", () => {
  const token = depends({ x_token: header(z.string()), page: z.int().default(1) }, () => 1);
  const app = new Spry({ logger: false });
  app.get("/items/", { token, q: z.string().optional() }, () => null);
  const params = app.openapi().paths["/items/"]!.get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
  assert.deepEqual(params.sort(), ["header:x-token", "query:page", "query:q"]);
});

test("teardown runs when the client disconnects mid-request", async () => {
  const events: string[] = [];
  let started!: () => void;
  const reached = new Promise<void>((resolve) => (started = resolve));
  const conn = depends(async function* connection() {
    events.push("open");
    try {
      yield "conn";
    } finally {
      events.push("closed");
    }
  });
  const app = new Spry({ logger: false });
  app.get("/wait", { conn }, async (_, { signal }) => {
    started();
    await sleep(60_000, { signal });
  });
  const running = await serve(app, { port: 0, handleSignals: false });
  try {
    const socket = connect(Number(new URL(running.url).port), "127.0.0.1");
    await once(socket, "connect");
    socket.write("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    await reached;
    socket.destroy();
    await settle(() => events.length >= 2);
    assert.deepEqual(events, ["open", "closed"]);
  } finally {
    await running.close();
  }
});
