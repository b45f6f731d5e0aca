// The access line's JSON, built by hand for speed (src/server/access-lines.ts), must be the very
// line JSON.stringify would write, whatever a client put in the path or its X-Request-ID; and
// lines reach stdout in batches, in order, none lost.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { accessMessage, jsonLine, LineBatches, type AccessFields } from "../../src/server/access-lines.ts";

const plain: AccessFields = {
  method: "GET",
  path: "/items/1?q=x",
  route: "/items/{item_id}",
  status: 200,
  durationMs: 3.1,
  bytes: 164,
  client: "127.0.0.1:52314",
  requestId: "6f1c8a2e-0b7d-4c1e-9a57-2d7f3b9c1e44",
  httpVersion: "1.1",
};

function reference(f: AccessFields, time: number): string {
  return `${JSON.stringify({ level: 30, time, ...f, msg: accessMessage(f) })}\n`;
}

describe("jsonLine", () => {
  const cases: [string, AccessFields][] = [
    ["a plain request", plain],
    ["a 404: no route", { ...plain, route: undefined, status: 404 }],
    ["HTTP/2: no bytes known, a whole-number duration", { ...plain, bytes: undefined, httpVersion: "2.0", durationMs: 12 }],
    ["a client that left", { ...plain, aborted: true }],
    ["quotes and backslashes in the path", { ...plain, path: '/a"b\\c?x="1"' }],
    ["control characters and DEL in the path", { ...plain, path: "/a\u0001b\u001fc\u007fd\te" }],
    ["non-ASCII, U+2028 and an astral character", { ...plain, path: "/caf\u00e9/\u2028/\u{1F600}/\u{E09DB}" }],
    ["lone surrogates", { ...plain, path: "/\ud800x\udc00" }],
    ["a client's own id with quotes", { ...plain, requestId: 'trace-"1"\\' }],
    ["an odd method and a forwarded client", { ...plain, method: 'M"', client: '[::1]:0"' }],
    ["a unix-socket client", { ...plain, client: "unix" }],
    ["a route template with a quote", { ...plain, route: '/a"{x}' }],
  ];
  for (const [name, fields] of cases) {
    test(`${name}: the line JSON.stringify writes, byte for byte`, () => {
      const line = jsonLine(fields, 1764576000123);
      assert.equal(line, reference(fields, 1764576000123));
      assert.equal(JSON.parse(line).path, fields.path);
    });
  }

  test("the message is Uvicorn's", () => {
    assert.equal(accessMessage(plain), '127.0.0.1:52314 - "GET /items/1?q=x HTTP/1.1" 200 3.1 ms');
    assert.equal(accessMessage({ ...plain, durationMs: 12, aborted: true }), '127.0.0.1:52314 - "GET /items/1?q=x HTTP/1.1" 200 12.0 ms (client left)');
  });
});

describe("LineBatches", () => {
  test("lines go out in chunks of at least the size, in order; flush sends the rest; nothing is lost", () => {
    const chunks: string[] = [];
    const batches = new LineBatches((text) => chunks.push(text), 100);
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${"x".repeat(i % 7)}\n`);
    for (const line of lines) batches.add(line);
    assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
    for (const chunk of chunks) assert.ok(chunk.length >= 100 && chunk.length < 100 + 20, `chunk of ${chunk.length}`);
    batches.flush();
    batches.flush();
    assert.equal(chunks.join(""), lines.join(""));
    assert.ok(chunks.every((chunk) => chunk.endsWith("\n")), "a chunk holds whole lines");
  });

  test("flush with nothing gathered writes nothing", () => {
    const chunks: string[] = [];
    new LineBatches((text) => chunks.push(text), 100).flush();
    assert.deepEqual(chunks, []);
  });
});
