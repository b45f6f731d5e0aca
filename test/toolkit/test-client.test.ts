// The TestClient as a user relies on it: forms, files and every body type encoded as a client
// sends them, cookies kept between requests, redirects followed when asked, the lifespan run
// by TestClient.open, on both entry points.
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry, file, files, form, json, cookie } from "spry";
import { TestClient } from "spry/testing";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

function app(): Spry {
  const app = new Spry({ logger: false });
  app.post("/token", { username: form(z.string()), password: form(z.string()), scope: form(z.array(z.string()).default([])) }, (f) => f);
  app.post("/upload", {
    note: form(z.string().optional()),
    doc: file(),
    photos: files({ required: false }),
  }, async ({ note, doc, photos }) => ({
    note,
    doc: { filename: doc.filename, contentType: doc.contentType, text: await doc.text() },
    photos: photos.map((p) => p.filename),
  }));
  app.post("/raw", async (_inputs, ctx) => ({ type: ctx.header("content-type") ?? null, text: Buffer.from(await ctx.body()).toString() }));
  app.post("/login", { user: form(z.string()) }, ({ user }) => json({ user }, { headers: { "set-cookie": `session=${user}; Path=/; HttpOnly` } }));
  app.get("/me", { session: cookie(z.string().optional()), other: cookie(z.string().optional()) }, (c) => c);
  app.post("/logout", () => new Response(null, { status: 204, headers: { "set-cookie": "session=; Path=/; Max-Age=0" } }));
  app.get("/scoped/set", () => new Response("ok", { headers: { "set-cookie": "deep=1; Path=/scoped/inner" } }));
  app.get("/scoped/inner/read", { deep: cookie(z.string().optional()) }, ({ deep }) => ({ deep: deep ?? null }));
  app.get("/scoped/read", { deep: cookie(z.string().optional()) }, ({ deep }) => ({ deep: deep ?? null }));
  app.get("/old", () => new Response(null, { status: 307, headers: { location: "/new?x=1" } }));
  app.post("/form-done", () => new Response(null, { status: 303, headers: { location: "/new" } }));
  app.post("/keep", () => new Response(null, { status: 307, headers: { location: "/echo" } }));
  app.post("/echo", async (_i, ctx) => ({ method: ctx.method, text: Buffer.from(await ctx.body()).toString() }));
  app.get("/new", { x: z.string().optional() }, (_i, ctx) => ({ at: ctx.path, x: _i.x ?? null }));
  app.get("/loop", () => new Response(null, { status: 302, headers: { location: "/loop" } }));
  app.get("/away", () => new Response(null, { status: 302, headers: { location: "https://example.com/" } }));
  return app;
}

forEachTransport("TestClient", (connect, transport) => {
  test("form: fields sent application/x-www-form-urlencoded, lists repeated", async () => {
    const res = await connect(app()).post("/token", { form: { username: "ada", password: "p&ss=1", scope: ["a", "b"] } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { username: "ada", password: "p&ss=1", scope: ["a", "b"] });
  });

  test("files: multipart/form-data with fields, File objects or their parts, several under one name", async () => {
    const res = await connect(app()).post("/upload", {
      form: { note: "hi" },
      files: {
        doc: { filename: "a.txt", content: "hello", contentType: "text/plain" },
        photos: [new File([new Uint8Array([1, 2])], "p1.png", { type: "image/png" }), { filename: "p2.png", content: new Uint8Array([3]) }],
      },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { note: "hi", doc: { filename: "a.txt", contentType: "text/plain", text: "hello" }, photos: ["p1.png", "p2.png"] });
  });

  test("URLSearchParams, FormData, Blob and ArrayBuffer bodies, with the content type they imply", async () => {
    const client = connect(app());
    const params = await client.post("/token", { body: new URLSearchParams({ username: "u", password: "p" }) });
    assert.deepEqual(await params.json(), { username: "u", password: "p", scope: [] });
    const data = new FormData();
    data.append("doc", new File(["x"], "f.txt", { type: "text/plain" }));
    const multipart = await client.post("/upload", { body: data });
    assert.equal((await multipart.json()).doc.text, "x");
    const blob = await (await client.post("/raw", { body: new Blob(["<a/>"], { type: "application/xml" }) })).json();
    assert.deepEqual(blob, { type: "application/xml", text: "<a/>" });
    const buffer = await (await client.post("/raw", { body: new TextEncoder().encode("bytes").buffer as ArrayBuffer, headers: { "content-type": "text/plain" } })).json();
    assert.deepEqual(buffer, { type: "text/plain", text: "bytes" });
    await assert.rejects(client.post("/raw", { json: {}, form: { a: "1" } }), /one body/);
  });

  test("cookies set by the app are kept and sent back, removed on Max-Age=0, scoped by path", async () => {
    const client = connect(app());
    await client.post("/login", { form: { user: "ada" } });
    assert.equal(client.cookies.get("session"), "ada");
    assert.deepEqual(await (await client.get("/me")).json(), { session: "ada" });
    // A request's own cookies are sent too, and win over the jar's.
    assert.deepEqual(await (await client.get("/me", { cookies: { other: "1", session: "mine" } })).json(), { session: "mine", other: "1" });
    await client.post("/logout");
    assert.equal(client.cookies.get("session"), undefined);
    assert.deepEqual(await (await client.get("/me")).json(), {});
    client.cookies.set("other", "by hand");
    assert.deepEqual(await (await client.get("/me")).json(), { other: "by hand" });
    await client.get("/scoped/set");
    assert.deepEqual(await (await client.get("/scoped/inner/read")).json(), { deep: "1" });
    assert.deepEqual(await (await client.get("/scoped/read")).json(), { deep: null });
  });

  test("fetch(), as the typed client sends through the TestClient, keeps and sends the cookies too", async () => {
    const client = connect(app());
    const login = await client.fetch(new Request("http://testserver/login", { method: "POST", body: new URLSearchParams({ user: "ada" }) }));
    assert.equal(login.status, 200);
    assert.equal(client.cookies.get("session"), "ada");
    assert.deepEqual(await (await client.fetch(new Request("http://testserver/me"))).json(), { session: "ada" });
    // A cookie the request names itself wins; the jar's others still go with it.
    client.cookies.set("other", "jar");
    const own = await client.fetch(new Request("http://testserver/me", { headers: { cookie: "session=mine" } }));
    assert.deepEqual(await own.json(), { session: "mine", other: "jar" });
    await client.fetch(new Request("http://testserver/logout", { method: "POST" }));
    assert.equal(client.cookies.get("session"), undefined);
  });

  test("redirects: not followed by default; followed when asked, 303 turning into a GET, 307 keeping the method and body", async () => {
    const plain = connect(app());
    const seen = await plain.get("/old");
    assert.equal(seen.status, 307);
    assert.equal(seen.headers.get("location"), "/new?x=1");
    const followed = await plain.get("/old", { followRedirects: true });
    assert.deepEqual(await followed.json(), { at: "/new", x: "1" });
    const following = new TestClient(app(), { transport, followRedirects: true });
    assert.deepEqual(await (await following.post("/form-done", { form: { a: "1" } })).json(), { at: "/new", x: null });
    assert.deepEqual(await (await following.post("/keep", { body: "payload" })).json(), { method: "POST", text: "payload" });
    await assert.rejects(following.get("/loop"), /more than 20 redirects/);
    // Another host cannot be reached in process: the redirect itself is the answer.
    assert.equal((await following.get("/away")).status, 302);
  });
});

test("TestClient.open runs the lifespan and close stops it; new TestClient reading app.state names the fix", async () => {
  const events: string[] = [];
  const app = new Spry({
    logger: false,
    async *lifespan() {
      events.push("start");
      yield { greeting: "hello" };
      events.push("stop");
    },
  });
  app.get("/greet", () => ({ greeting: app.state.greeting }));
  const logger = recordingLogger();
  const early = new Spry({ logger, async *lifespan() { yield { n: 1 }; } });
  early.get("/n", () => ({ n: early.state.n }));
  const res = await new TestClient(early).get("/n");
  assert.equal(res.status, 500);
  const error = logger.entries.find((e) => e.level === "error")?.fields.err as Error;
  assert.match(error.message, /lifespan has not run.*`await TestClient\.open\(app\)`/);
  {
    await using client = await TestClient.open(app);
    assert.deepEqual(events, ["start"]);
    assert.deepEqual(await (await client.get("/greet")).json(), { greeting: "hello" });
  }
  assert.deepEqual(events, ["start", "stop"]);
});
