// The head of a response as spry's server writes it (src/server/server-response.ts): the lines
// node-writer.ts has checked go in as they are, node:http frames the body itself (its own
// Content-Length, keep-alive, Date), and every header appears once, whatever the request's
// method or HTTP version; a framing header the handler sets is still node's to act on.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, test } from "node:test";
import { Spry, SpryResponse, json } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { PATIENCE_MS, TestServer } from "../support/server.ts";

const app = new Spry({ logger: recordingLogger() });
app.get("/json", () => ({ message: "This is fast!" }));
app.get("/cookies", (_, ctx) => {
  ctx.setHeader("set-cookie", ["a=1", "b=2"]);
  ctx.setHeader("x-custom", "one");
  return { ok: true };
});
app.get("/close", () => json({ ok: true }, { headers: { connection: "close" } }));
app.get("/empty", () => new Response(null, { status: 204 }));
app.get("/created", () => json({ ok: true }, { status: 201 }));
app.get("/unnamed", () => json({ ok: true }, { status: 299 }));
app.get("/text", () => new SpryResponse(200, { "content-type": "text/plain; charset=utf-8" }, "hello"));

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

interface Exchanged {
  status: number;
  /** The first line of the head, as sent. */
  statusLine: string;
  /** The head's header lines as sent, names lower-cased. */
  lines: [string, string][];
  body: string;
  /** Whether the server closed the connection after the response. */
  closed: boolean;
}

// One request on a fresh connection; the response read by its Content-Length (or to the close).
function exchange(port: number, head: string): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.setEncoding("latin1");
    let text = "";
    let closed = false;
    const timer = setTimeout(() => finish(new Error(`no whole response within ${PATIENCE_MS} ms: ${JSON.stringify(text)}`)), PATIENCE_MS);
    const parse = (): Exchanged | undefined => {
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return undefined;
      const [statusLine, ...rest] = text.slice(0, end).split("\r\n");
      const lines = rest.map((line): [string, string] => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]);
      const length = lines.find(([name]) => name === "content-length")?.[1];
      const body = text.slice(end + 4);
      const bodyless = head.startsWith("HEAD ") || / 204 /.test(statusLine!);
      if (!closed && !bodyless && (length === undefined || body.length < Number(length))) return undefined;
      return { status: Number(statusLine!.split(" ")[1]), statusLine: statusLine!, lines, body, closed };
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const result = parse();
      if (error !== undefined || result === undefined) reject(error ?? new Error(`no response: ${JSON.stringify(text)}`));
      else resolve(result);
    };
    socket.on("data", (chunk: string) => {
      text += chunk;
      // Keep-alive: the response is whole once its body is; give a closing server a moment to close.
      if (parse() !== undefined) setTimeout(() => finish(), 50);
    });
    socket.on("end", () => {
      closed = true;
      finish();
    });
    socket.on("error", (error) => finish(error));
    socket.write(head);
  });
}

const names = (lines: [string, string][]) => lines.map(([name]) => name);
const value = (lines: [string, string][], name: string) => lines.filter(([n]) => n === name).map(([, v]) => v);

test("a JSON response over HTTP/1.1: each header once, its length, the id, kept alive", async () => {
  const srv = await TestServer.start(app);
  servers.push(srv);
  const r = await exchange(srv.port, "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"message":"This is fast!"}');
  assert.deepEqual(value(r.lines, "content-length"), [String(Buffer.byteLength(r.body))]);
  assert.deepEqual(value(r.lines, "content-type"), ["application/json"]);
  assert.equal(value(r.lines, "x-request-id").length, 1);
  assert.deepEqual(value(r.lines, "connection"), ["keep-alive"]);
  assert.equal(value(r.lines, "date").length, 1);
  // node:http's own lines, as node writes them: the date of this second, the connection's timeout.
  assert.ok(Math.abs(Date.parse(value(r.lines, "date")[0]!) - Date.now()) < 5000, value(r.lines, "date")[0]);
  assert.deepEqual(value(r.lines, "keep-alive"), [`timeout=${Math.floor(srv.running.server.keepAliveTimeout / 1000)}`]);
  assert.equal(new Set(names(r.lines)).size, r.lines.length, `a header repeated: ${names(r.lines).join(", ")}`);
  assert.equal(value(r.lines, "transfer-encoding").length, 0);
  assert.equal(r.closed, false);
});

test("HEAD: the GET's length without the body; HTTP/1.0: the length, and the connection closed", async () => {
  const srv = await TestServer.start(app);
  servers.push(srv);
  const head = await exchange(srv.port, "HEAD /json HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.deepEqual(value(head.lines, "content-length"), [String(Buffer.byteLength('{"message":"This is fast!"}'))]);
  const old = await exchange(srv.port, "GET /json HTTP/1.0\r\n\r\n");
  assert.equal(old.status, 200);
  assert.equal(old.body, '{"message":"This is fast!"}');
  assert.deepEqual(value(old.lines, "content-length"), ["27"]);
  assert.equal(old.closed, true);
});

test("a list value is one line each; a framing header the handler sets is node's to act on; 204 has no length", async () => {
  const srv = await TestServer.start(app);
  servers.push(srv);
  const cookies = await exchange(srv.port, "GET /cookies HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.deepEqual(value(cookies.lines, "set-cookie"), ["a=1", "b=2"]);
  assert.deepEqual(value(cookies.lines, "x-custom"), ["one"]);
  const close = await exchange(srv.port, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.deepEqual(value(close.lines, "connection"), ["close"]);
  assert.equal(close.closed, true);
  const empty = await exchange(srv.port, "GET /empty HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(empty.status, 204);
  assert.deepEqual(value(empty.lines, "content-length"), []);
  assert.deepEqual(value(empty.lines, "transfer-encoding"), []);
});

test("the status line is node's for every status, its phrase or \"unknown\"; each content type is its own line", async () => {
  const srv = await TestServer.start(app);
  servers.push(srv);
  const ok = await exchange(srv.port, "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(ok.statusLine, "HTTP/1.1 200 OK");
  const created = await exchange(srv.port, "GET /created HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(created.statusLine, "HTTP/1.1 201 Created");
  assert.deepEqual(value(created.lines, "content-length"), ["11"]);
  const unnamed = await exchange(srv.port, "GET /unnamed HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(unnamed.statusLine, "HTTP/1.1 299 unknown");
  const missing = await exchange(srv.port, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(missing.statusLine, "HTTP/1.1 404 Not Found");
  // One type after another, and back: each response its own type, once.
  for (const [path, type] of [["/text", "text/plain; charset=utf-8"], ["/json", "application/json"], ["/text", "text/plain; charset=utf-8"]] as const) {
    const r = await exchange(srv.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.deepEqual(value(r.lines, "content-type"), [type]);
    assert.equal(new Set(names(r.lines)).size, r.lines.length, `a header repeated: ${names(r.lines).join(", ")}`);
  }
});
