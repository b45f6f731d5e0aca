// `Bun.serve({ ...app.bun })` (docs/runtimes.md): Bun's own router takes the app's paths without
// parameters and app.fetch the rest. Whichever road a request takes, it meets the same layers:
// middleware, the limits of the target and the body, 405, the slash redirect, HEAD, headers.
// Every test runs against the app with middleware and without: without, a routed request takes
// dispatch's direct path (src/toolkit/dispatch.ts, #routeDirectly), which must answer alike.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { HostProcess, hostBinary, required, skipUnless } from "../support/hosts.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bun = hostBinary("bun");
const options = { skip: skipUnless(bun) };

// A request line sent as written: a client library would normalize the path first.
function raw(origin: string, target: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    socket.once("end", () => resolve(text));
    socket.once("error", reject);
  });
}

// What a server answered to a head it refuses, before or while it arrives: the server may close
// the connection with part of it unread, which resets the socket after its answer. The head goes
// in 8 KiB pieces, each once the last has left and the server had a moment to read it, and stops
// once an answer comes: a server that refuses past its limit has then read all it was sent, so
// its close sends no reset to overtake the answer (a head written whole, 1 MiB at once, lost
// the 431 to that reset in all three tries of a loaded CI run).
function refused(origin: string, target: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  const head = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  return new Promise((resolve) => {
    let text = "";
    let open = true;
    const socket = connect(Number(port), hostname, () => {
      const next = (at: number) => {
        if (!open || text !== "" || at >= head.length) return;
        socket.write(head.subarray(at, at + 8192), () => setTimeout(next, 2, at + 8192));
      };
      next(0);
    });
    socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    socket.on("error", () => {});
    socket.once("close", () => {
      open = false;
      resolve(text);
    });
  });
}

/**
 * As refused, tried up to three times while nothing came back, should a reset still overtake
 * the answer. A server that never answers 431 still fails.
 */
async function refusedOnce(origin: string, target: string): Promise<string> {
  let text = "";
  for (let attempt = 0; attempt < 3 && text === ""; attempt++) text = await refused(origin, target);
  return text;
}

for (const middleware of [true, false]) {
  describe(middleware ? "with middleware (the layers)" : "without middleware (the direct path)", () => {
    let served: HostProcess | undefined;
    let origin = "";

    before(async () => {
      if (skipUnless(bun) !== false) return;
      served = HostProcess.start(required(bun), ["--conditions=spry-source", "test/runtimes/fixtures/bun-routes.ts"], { cwd: root, env: { BUN_ROUTES_MIDDLEWARE: middleware ? "1" : "0" } });
      origin = await served.origin();
    });
    after(() => served?.kill());

    test("a path without parameters answers through Bun's router, with the app's middleware if it has some", options, async () => {
      const res = await fetch(`${origin}/items/`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      if (middleware) assert.equal(res.headers.get("x-middleware"), "ran");
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { items: ["pen"] });
      assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
    });

    test("HEAD gets the GET response's headers and length, no body", options, async () => {
      const res = await fetch(`${origin}/items/`, { method: "HEAD" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), String(JSON.stringify({ items: ["pen"] }).length));
      assert.equal(await res.text(), "");
    });

    test("a method the path does not declare: 405 with Allow", options, async () => {
      const res = await fetch(`${origin}/items/`, { method: "DELETE" });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("allow"), "GET, HEAD");
      if (middleware) assert.equal(res.headers.get("x-middleware"), "ran");
    });

    test("the other slash form is redirected, another case is a 404, an escaped path is the route it decodes to", options, async () => {
      const redirect = await fetch(`${origin}/items?x=1`, { redirect: "manual" });
      assert.equal(redirect.status, 307);
      assert.equal(redirect.headers.get("location"), "/items/?x=1");
      assert.equal((await fetch(`${origin}/ITEMS/`)).status, 404);
      // Not Bun's path letter for letter: app.fetch's lookup decodes it, as on every transport.
      assert.match(await raw(origin, "/it%65ms/"), middleware ? /^HTTP\/1\.1 200 [\s\S]*x-middleware: ran[\s\S]*\{"items":\["pen"\]\}$/ : /^HTTP\/1\.1 200 [\s\S]*\{"items":\["pen"\]\}$/);
      assert.match(await raw(origin, "//items/"), /^HTTP\/1\.1 404 /);
    });

    test("on a routed path the query's limits hold wherever it is read: an input, the handler's own code", options, async () => {
      assert.deepEqual(await (await fetch(`${origin}/query/?q=a%20b`)).json(), { q: "a b" });
      assert.deepEqual(await (await fetch(`${origin}/query/`)).json(), { q: null });
      assert.deepEqual(await (await fetch(`${origin}/raw-query/?a=1&b=2`)).json(), { keys: ["a", "b"] });
      for (const path of ["/query/", "/raw-query/"]) {
        const undecodable = await fetch(`${origin}${path}?q=%zz`);
        assert.equal(undecodable.status, 400);
        assert.match(((await undecodable.json()) as { detail: string }).detail, /percent-encoding/);
        const many = await fetch(`${origin}${path}?a=1&b=2&c=3&d=4`);
        assert.equal(many.status, 413);
        if (middleware) assert.equal(many.headers.get("x-middleware"), "ran");
        assert.equal((await fetch(`${origin}${path}?q=${"x".repeat(8 * 1024)}`)).status, 414);
      }
      // app.fetch's paths check the target before the lookup, read or not.
      assert.equal((await fetch(`${origin}/items/7?q=%zz`)).status, 400);
      assert.equal((await fetch(`${origin}/items/7?q=${"x".repeat(8 * 1024)}`)).status, 414);
    });

    test("a routed path that reads no query never reads the URL: what it carries is bounded by Bun's 16 KiB head, a clean 431", options, async () => {
      assert.equal((await fetch(`${origin}/items/?q=%zz&a=1&b=2&c=3&d=4`)).status, 200);
      assert.equal((await fetch(`${origin}/items/?q=${"x".repeat(12 * 1024)}`)).status, 200);
      for (const size of [17 * 1024, 1024 * 1024]) assert.match(await refusedOnce(origin, `/items/?q=${"x".repeat(size)}`), /^HTTP\/1\.1 431 /);
      assert.deepEqual(await (await fetch(`${origin}/items/`)).json(), { items: ["pen"] });
    });

    test("a body is validated, and a declared length over the limit is refused before it is read", options, async () => {
      const echoed = await fetch(`${origin}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1 }) });
      assert.equal(echoed.status, 200);
      assert.deepEqual(await echoed.json(), { n: 1 });
      const invalid = await fetch(`${origin}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: "one" }) });
      assert.equal(invalid.status, 422);
      const large = await fetch(`${origin}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n: 1, pad: "x".repeat(200) }) });
      assert.equal(large.status, 413);
    });

    test("headers beyond the type and length, a handler's own Response and a 204 are sent as on app.fetch", options, async () => {
      const cookie = await fetch(`${origin}/cookie`);
      assert.deepEqual(cookie.headers.getSetCookie(), ["a=1", "b=2"]);
      assert.deepEqual(await cookie.json(), { ok: true });
      const text = await fetch(`${origin}/text`);
      assert.equal(text.headers.get("content-type"), "text/plain; charset=utf-8");
      if (middleware) assert.equal(text.headers.get("x-middleware"), "ran");
      assert.equal(await text.text(), "plain");
      const empty = await fetch(`${origin}/empty`);
      assert.equal(empty.status, 204);
      assert.equal(await empty.text(), "");
    });

    test("routes declared after Bun.serve read app.bun: a HEAD replaces the automatic one, a new path goes through app.fetch", options, async () => {
      const head = await fetch(`${origin}/late-head`, { method: "HEAD" });
      assert.equal(head.headers.get("x-head"), "explicit");
      assert.deepEqual(await (await fetch(`${origin}/late-head`)).json(), { from: "GET" });
      assert.deepEqual(await (await fetch(`${origin}/later`)).json(), { later: true });
    });

    test("paths with parameters are app.fetch's, with the same validation", options, async () => {
      assert.deepEqual(await (await fetch(`${origin}/items/7`)).json(), { id: 7 });
      assert.equal((await fetch(`${origin}/items/seven`)).status, 422);
    });

    test("errors on a routed path: the app's exception handler, an HTTPException's detail and headers, the logged 500", options, async () => {
      const teapot = await fetch(`${origin}/teapot`);
      assert.equal(teapot.status, 418);
      assert.equal(teapot.headers.get("x-handled"), "yes");
      assert.deepEqual(await teapot.json(), { brewed: false });
      const missing = await fetch(`${origin}/missing`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get("x-why"), "gone");
      assert.deepEqual(await missing.json(), { detail: "No such thing" });
      const crash = await fetch(`${origin}/crash`);
      assert.equal(crash.status, 500);
      assert.deepEqual(await crash.json(), { detail: "Internal Server Error" });
    });

    test("an asynchronous routed handler: its value, and the route's deadline (504)", options, async () => {
      const waited = await fetch(`${origin}/async`);
      assert.equal(waited.status, 200);
      assert.equal(waited.headers.get("content-type"), "application/json");
      assert.deepEqual(await waited.json(), { waited: true });
      assert.equal((await fetch(`${origin}/slow`)).status, 504);
    });

    test("a handler's own SpryResponse: its type and status as given, a header that could split the response refused with a 500", options, async () => {
      const typed = await fetch(`${origin}/typed`);
      assert.equal(typed.status, 201);
      assert.equal(typed.headers.get("content-type"), "text/csv");
      assert.equal(typed.headers.get("content-length"), "3");
      assert.equal(await typed.text(), "a,b");
      const status = await fetch(`${origin}/status`);
      assert.equal(status.status, 202);
      assert.deepEqual(await status.json(), { made: true });
      const raw500 = await raw(origin, "/bad-type");
      assert.match(raw500, /^HTTP\/1\.1 500 [\s\S]*content-type: application\/json[\s\S]*\{"detail":"Internal Server Error"\}$/i);
      assert.doesNotMatch(raw500, /x-injected/);
    });
  });
}
