// app.runWith(server) and app.fetch during startup, in-process with objects shaped like the
// servers Bun.serve and Deno.serve return (test/runtimes runs the real hosts, signals included).
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry } from "spry";

function appWithLifespan(events: string[], startupMs = 0) {
  const app = new Spry({
    logger: false,
    async *lifespan() {
      await new Promise((resolve) => setTimeout(resolve, startupMs));
      events.push("started");
      yield { visits: 0 };
      events.push("stopped");
    },
  });
  app.get("/visits", () => ({ visits: ++app.state.visits }));
  return app;
}

const signalListeners = () => process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");

test("a request to app.fetch during startup waits for it, then reads app.state", async () => {
  const events: string[] = [];
  const app = appWithLifespan(events, 100);
  const starting = app.startup();
  const response = await app.fetch(new Request("http://host/visits"));
  assert.deepEqual(events, ["started"]);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { visits: 1 });
  await starting;
  await app.shutdown();
});

test("a request while a startup fails is answered 500, not left waiting", async () => {
  const app = new Spry({
    logger: false,
    async *lifespan() {
      throw new Error("database unreachable");
    },
  });
  app.get("/state", () => app.state);
  const starting = app.startup();
  const response = await app.fetch(new Request("http://host/state"));
  assert.equal(response.status, 500);
  await assert.rejects(starting, /database unreachable/);
});

test("runWith on a Deno-shaped server: started at once, stopped when `finished` resolves, signals released", async () => {
  const events: string[] = [];
  const app = appWithLifespan(events);
  let finish!: () => void;
  const server = { finished: new Promise<void>((resolve) => (finish = resolve)), shutdown: async () => finish() };
  const before = signalListeners();
  assert.equal(app.runWith(server), server);
  assert.equal(signalListeners(), before + 2);
  assert.equal((await app.fetch(new Request("http://host/visits"))).status, 200);
  assert.deepEqual(events, ["started"]);
  await server.shutdown();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(events, ["started", "stopped"]);
  assert.equal(signalListeners(), before);
});

test("runWith on a Bun-shaped server: server.stop() resolves once the app has stopped too", async () => {
  const events: string[] = [];
  const app = appWithLifespan(events);
  let stoppedWith: boolean | undefined;
  const server = {
    stop(closeActiveConnections?: boolean): Promise<void> {
      stoppedWith = closeActiveConnections;
      events.push("server stopped");
      return Promise.resolve();
    },
  };
  const before = signalListeners();
  app.runWith(server);
  assert.equal((await app.fetch(new Request("http://host/visits"))).status, 200);
  await server.stop(true);
  assert.equal(stoppedWith, true);
  assert.deepEqual(events, ["started", "server stopped", "stopped"]);
  assert.equal(signalListeners(), before);
});

test("app.bun: Bun's routes are the paths without parameters, websocket is app.bunWebSocket's", () => {
  const app = new Spry({ logger: false, openapiUrl: false });
  app.get("/items/", () => []);
  app.post("/items/", () => ({}));
  app.get("/items/{id}", ({ id }) => ({ id }));
  app.get("/files/{rest:path}", ({ rest }) => ({ rest }));
  const bun = app.bun;
  assert.deepEqual(Object.keys(bun.routes), ["/items/"]);
  assert.deepEqual(Object.keys(bun.websocket), Object.keys(app.bunWebSocket));
});

test("app.bun's route answers as app.fetch does, leaving the length of a text body to Bun", async () => {
  const events: string[] = [];
  const app = appWithLifespan(events, 50);
  app.get("/plain", () => new Response("ok"));
  const route = app.bun.routes["/visits"]!;
  // During the startup it waits, as app.fetch does.
  const starting = app.startup();
  const first = await route(new Request("http://host/visits?x=1"));
  assert.deepEqual(events, ["started"]);
  assert.deepEqual(await first.json(), { visits: 1 });
  await starting;
  const second = await route(new Request("http://host/visits"));
  assert.equal(second.status, 200);
  assert.equal(second.headers.get("content-type"), "application/json");
  // Bun.serve writes it from the body; app.fetch's own Response carries it.
  assert.equal(second.headers.get("content-length"), null);
  assert.equal((await app.fetch(new Request("http://host/visits"))).headers.get("content-length"), String(JSON.stringify({ visits: 3 }).length));
  // HEAD keeps the GET response's length: there is no body to write it from.
  const head = await route(new Request("http://host/visits", { method: "HEAD" }));
  assert.equal(head.headers.get("content-length"), String(JSON.stringify({ visits: 4 }).length));
  // A method the path does not declare goes to app.fetch: 405.
  const refused = await route(new Request("http://host/visits", { method: "DELETE" }));
  assert.equal(refused.status, 405);
  assert.equal(refused.headers.get("allow"), "GET, HEAD");
  assert.equal(await (await app.bun.routes["/plain"]!(new Request("http://host/plain"))).text(), "ok");
  // app.bun's fetch, for the paths with parameters, leaves the length to Bun too.
  const fetched = await app.bun.fetch(new Request("http://host/visits"));
  assert.deepEqual(await fetched.json(), { visits: 5 });
  assert.equal(fetched.headers.get("content-length"), null);
  await app.shutdown();
});

// A Request that counts the reads of its URL, which on Bun builds the string each time.
class CountedRequest extends Request {
  urlReads = 0;
  override get url(): string {
    this.urlReads++;
    return super.url;
  }
}

test("app.bun's route reads the URL only for a query something reads, and checks that query then", async () => {
  const app = new Spry({ logger: false, openapiUrl: false, limits: { maxQueryKeys: 2 } });
  app.get("/items/", () => ({ items: [] }));
  app.get("/search/", { q: z.string().optional() }, ({ q }) => ({ q: q ?? null }));
  app.get("/raw/", (_, ctx) => ({ keys: Object.keys(ctx.query) }));
  const { routes } = app.bun;
  const unread = new CountedRequest("http://host/items/?q=%zz&a=1&b=2");
  const answered = await routes["/items/"]!(unread);
  assert.equal(answered.status, 200);
  assert.equal(unread.urlReads, 0);
  const read = new CountedRequest("http://host/search/?q=a%20b");
  assert.deepEqual(await (await routes["/search/"]!(read)).json(), { q: "a b" });
  assert.equal(read.urlReads, 1);
  for (const path of ["/search/", "/raw/"]) {
    const undecodable = await routes[path]!(new Request(`http://host${path}?q=%zz`));
    assert.equal(undecodable.status, 400);
    assert.deepEqual(await undecodable.json(), { detail: "Invalid percent-encoding in the query string" });
    assert.equal((await routes[path]!(new Request(`http://host${path}?a=1&b=2&c=3`))).status, 413);
    assert.equal((await routes[path]!(new Request(`http://host${path}?q=${"x".repeat(8 * 1024)}`))).status, 414);
  }
  // app.fetch checks the target before the lookup, whether the route reads the query or not.
  assert.equal((await app.fetch(new Request("http://host/items/?q=%zz"))).status, 400);
});
