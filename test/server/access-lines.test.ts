// The access line's JSON, built by hand for speed (src/server/access-lines.ts), must be the very
// line JSON.stringify would write, whatever a client put in the path or its X-Request-ID; and
// lines reach stdout in batches, in order, none lost.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { accessMessage, ConnectionLines, jsonLine, LinePieces, wallTime, type AccessFields } from "../../src/server/access-lines.ts";
import { LineBatches, lineWriter } from "../../src/common/line-writer.ts";

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
  return `${JSON.stringify({ level: 30, time, ...f })}\n`;
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

  test("every duration, time, route, method, status and client as JSON.stringify writes it, whatever came before (the pieces are cached)", () => {
    for (let t = 0; t <= 200_000; t += t < 2000 ? 1 : 997) {
      const fields = { ...plain, durationMs: Math.round(t) / 10, route: `/r${t % 5}"`, method: t % 3 === 0 ? "GET" : "P\\ST", status: 200 + (t % 4), client: `127.0.0.1:${t % 700}` };
      const time = 1764576000000 + (t % 1001);
      assert.equal(jsonLine(fields, time), reference(fields, time));
    }
  });

  test("paths, methods and versions in turn, plain and not, a made id given as plain: the line JSON.stringify writes each time", () => {
    const paths = ["/items/1", '/a"b', "/items/1", "/\u0001", "/items/1", "/items/1?q=\\"];
    for (let i = 0; i < 60; i++) {
      const fields: AccessFields = { ...plain, path: paths[i % paths.length], method: i % 4 === 0 ? "POST" : "GET", httpVersion: i % 5 === 0 ? "1.0" : "1.1", aborted: i % 7 === 0 ? true : undefined };
      if (fields.aborted === undefined) delete fields.aborted;
      // The same millisecond for several lines: the start of the line is reused.
      const time = 1764576000000 + Math.floor(i / 3);
      assert.equal(jsonLine(fields, time, i % 2 === 0), reference(fields, time));
    }
  });

  // The time is read between two readings of Date.now(), as the line is made: the clock's
  // value at the moment, whatever pause the machine takes between statements.
  const within = () => {
    const before = Date.now();
    const time = wallTime(performance.now());
    const after = Date.now();
    assert.ok(Number.isInteger(time) && time >= before - 1 && time <= after + 1, `${time} not within [${before - 1}, ${after + 1}]`);
  };

  test("the line's time is Date.now()'s, to the millisecond, from the performance clock", () => {
    for (let i = 0; i < 20_000; i++) within();
  });

  test("a wall clock that steps, either way, or drifts by a millisecond and more, is followed within a second", async () => {
    const wallClock = Date.now;
    try {
      // What a step of the system's clock, or NTP's slow drift, looks like from here.
      for (const offset of [600_000, -600_000, 1.4, -1.4, 0]) {
        Date.now = () => Math.floor(performance.timeOrigin + performance.now() + offset);
        await delay(1010);
        for (let i = 0; i < 5_000; i++) within();
      }
    } finally {
      Date.now = wallClock;
    }
  });

  test("no msg: the fields say it, in fewer bytes", () => {
    const line = jsonLine(plain, 1764576000123);
    assert.equal("msg" in JSON.parse(line), false);
    // With the message it would repeat the fields in a further 67 bytes.
    const withMessage = `${JSON.stringify({ ...JSON.parse(line), msg: accessMessage(plain) })}\n`;
    assert.equal(withMessage.length - line.length, 67);
  });

  test("the message is Uvicorn's", () => {
    assert.equal(accessMessage(plain), '127.0.0.1:52314 - "GET /items/1?q=x HTTP/1.1" 200 3.1 ms');
    assert.equal(accessMessage({ ...plain, durationMs: 12, aborted: true }), '127.0.0.1:52314 - "GET /items/1?q=x HTTP/1.1" 200 12.0 ms (client left)');
  });
});

describe("ConnectionLines", () => {
  test("a connection's lines, copied from its last one where they repeat it, are jsonLine's, byte for byte, mixed with other lines in order", () => {
    const chunks: Buffer[] = [];
    const batches = new LineBatches((bytes) => chunks.push(Buffer.from(bytes)), 700);
    const connection = new ConnectionLines(new LinePieces("127.0.0.1:52314"));
    const prefix = "6f1c8a2e-0b7d-8c1e-9a57-";
    const expected: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Runs of lines that repeat each other, then one that does not: another path, route,
      // status, byte count, a path to escape; durations of every length; new seconds and
      // milliseconds; another writer's line now and then.
      const run = Math.floor(i / 7);
      const path = run % 5 === 4 ? `/caf\u00e9/"${run}"` : run % 3 === 0 ? "/fast_task/" : `/items/${run % 4}`;
      const route = run % 6 === 5 ? undefined : path.startsWith("/items/") ? "/items/{item_id}" : path;
      const status = run % 7 === 3 ? 404 : 200;
      const bytes = 164 + (run % 4 === 1 ? 1000 : 0);
      const tenths = [0, 3, 10, 17, 99, 100, 101, 999, 1000, 1001, 12345, 2 ** 31 - 1, 2 ** 31][(i * 5 + run) % 13]!;
      const time = 1764576000000 + i * 337;
      const count = i === 2999 ? 2 ** 48 - 1 : i % 11 === 5 ? 0xabcdef123456 + i : i + 1;
      const tail = count.toString(16).padStart(12, "0");
      const fields: AccessFields = { method: run % 9 === 8 ? "POST" : "GET", path, route, status, durationMs: tenths / 10, bytes, client: "127.0.0.1:52314", requestId: prefix + tail, httpVersion: "1.1" };
      connection.write(batches, time, fields.method, path, route, status, tenths, bytes, prefix, count);
      expected.push(reference(fields, time));
      if (i % 50 === 49) {
        batches.add("another\n");
        expected.push("another\n");
      }
    }
    batches.flush();
    assert.ok(chunks.length > 100, `${chunks.length} chunks`);
    const lines = Buffer.concat(chunks).toString().split("\n");
    const want = expected.join("").split("\n");
    for (let i = 0; i < want.length; i++) assert.equal(lines[i], want[i], `line ${i}`);
    assert.equal(lines.length, want.length);
  });
});

describe("LineBatches", () => {
  test("lines go out in chunks of at least the size, in order; flush sends the rest; nothing is lost", () => {
    const chunks: string[] = [];
    // The chunk is a view of the batch's buffer, written over by the next lines: kept as text.
    const batches = new LineBatches((bytes) => chunks.push(bytes.toString()), 100);
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
    new LineBatches((bytes) => chunks.push(bytes.toString()), 100).flush();
    assert.deepEqual(chunks, []);
  });

  test("each line's UTF-8, whatever its characters and length: non-ASCII, lone surrogates, a line longer than the buffer", () => {
    const chunks: Buffer[] = [];
    const batches = new LineBatches((bytes) => chunks.push(Buffer.from(bytes)), 1024);
    const lines = ["caf\u00e9 \u2028 \u{1F600}\n", "\ud800 lone\n", `${"\u20ac".repeat(20_000)}\n`, "after\n"];
    for (let i = 0; i < 200; i++) batches.add(lines[i % 2]!);
    for (const line of lines) batches.add(line);
    batches.flush();
    const expected = Buffer.from([...Array.from({ length: 200 }, (_, i) => lines[i % 2]!), ...lines].join(""));
    assert.ok(Buffer.concat(chunks).equals(expected), "the bytes Buffer.from writes, in order");
  });
});

// docs/reliability.md row 46: a log collector that stops reading.
describe("lineWriter", () => {
  // A pipe libuv opened is non-blocking: written directly (nonBlocking), or through the thread pool.
  for (const nonBlocking of [false, true]) test(`a reader that stalls${nonBlocking ? ", written directly" : ""}: the writes never wait, lines past the cap are dropped and counted, one line says how many once it reads again`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "spry-lines-"));
    const out = join(dir, "out");
    // A reader that reads nothing for its first 1.5 s, then everything.
    const reader = spawn("sh", ["-c", `sleep 1.5; cat > ${out}`], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
      const writer = lineWriter(fd, { batch: 1024, maxPending: 16 * 1024, nonBlocking });
      const line = (i: number) => `${JSON.stringify({ i, pad: "x".repeat(80) })}\n`;
      const started = performance.now();
      for (let i = 0; i < 2000; i++) writer.lines.add(line(i));
      writer.lines.flush();
      assert.ok(performance.now() - started < 500, "the writes did not wait for the reader");
      await delay(2500);
      for (let i = 2000; i < 2010; i++) writer.lines.add(line(i));
      writer.lines.flush();
      await delay(500);
      writer.flushSync();
      reader.stdin!.end();
      await new Promise((resolve) => reader.once("exit", resolve));
      const lines = readFileSync(out, "utf8").trimEnd().split("\n").map((text) => JSON.parse(text) as { i?: number; dropped?: number; level?: number; msg?: string });
      const notes = lines.filter((l) => l.dropped !== undefined);
      assert.equal(notes.length, 1, "one warning line");
      assert.equal(notes[0]!.level, 40);
      assert.match(notes[0]!.msg!, /^\d+ log lines were dropped: stdout was not read fast enough$/);
      const kept = lines.filter((l) => l.i !== undefined).map((l) => l.i!);
      assert.ok(kept.length < 2000 && kept.length > 0, `${kept.length} kept`);
      assert.equal(kept.length + notes[0]!.dropped!, 2010, "every line is written or counted as dropped");
      assert.deepEqual(kept.slice(-10), [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009], "lines after the stall are written, after the warning");
      assert.deepEqual(kept, [...kept].sort((a, b) => a - b), "in order");
    } finally {
      reader.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
