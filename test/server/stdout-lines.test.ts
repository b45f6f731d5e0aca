// Access lines wait at most the flush interval (src/server/stdout-lines.ts), or not at all with
// 0; the interval comes from SPRY_LOG_FLUSH in seconds; a crash's fatal line reads as pino's.
// (What the process's end writes: test/server/access-log.test.ts, through `spry run`.)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { SettingError } from "../../src/common/settings.ts";
import { LineBatches } from "../../src/common/line-writer.ts";
import { DEFAULT_FLUSH_MS, fatalLine, flushIntervalMs, processLines } from "../../src/common/stdout-lines.ts";

/** A child that echoes what it reads from its stdin as it comes, and the fd to write to it. */
function reader() {
  const child = spawn("cat", [], { stdio: ["pipe", "pipe", "ignore"] });
  let received = "";
  const arrivals: { at: number; text: string }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    received += chunk;
    arrivals.push({ at: performance.now(), text: chunk });
  });
  const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  return { child, fd, received: () => received, arrivals };
}

async function until(ready: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("processLines", () => {
  test("a line well short of a batch is written within the interval, with no flush asked", async () => {
    const r = reader();
    try {
      const lines = processLines(r.fd, 50);
      const added = performance.now();
      lines.add('{"n":1}\n');
      await until(() => r.received() === '{"n":1}\n', 5_000);
      // 50 ms by design; the margin is for a loaded machine.
      assert.ok(r.arrivals[0]!.at - added < 1_000, `${Math.round(r.arrivals[0]!.at - added)} ms`);
      lines.add('{"n":2}\n');
      lines.add('{"n":3}\n');
      await until(() => r.received().endsWith('{"n":3}\n'), 5_000);
      assert.equal(r.received(), '{"n":1}\n{"n":2}\n{"n":3}\n');
    } finally {
      r.child.kill();
    }
  });

  test("interval 0: each line is handed over as it is added", async () => {
    const r = reader();
    try {
      const lines = processLines(r.fd, 0);
      lines.add('{"n":1}\n');
      // No timer runs: the write was started by add() itself.
      await until(() => r.received() === '{"n":1}\n', 5_000);
    } finally {
      r.child.kill();
    }
  });
});

describe("LineBatches of size 0", () => {
  test("every add is its own chunk", () => {
    const chunks: string[] = [];
    const batches = new LineBatches((bytes) => chunks.push(bytes.toString()), 0);
    batches.add("a\n");
    batches.add("b\n");
    assert.deepEqual(chunks, ["a\n", "b\n"]);
  });
});

describe("flushIntervalMs", () => {
  test("a tenth of a second by default; SPRY_LOG_FLUSH in seconds, 0 allowed; a bad value names the variable", () => {
    assert.equal(DEFAULT_FLUSH_MS, 100);
    assert.equal(flushIntervalMs({}), 100);
    assert.equal(flushIntervalMs({ SPRY_LOG_FLUSH: "" }), 100);
    assert.equal(flushIntervalMs({ SPRY_LOG_FLUSH: "0" }), 0);
    assert.equal(flushIntervalMs({ SPRY_LOG_FLUSH: "0.25" }), 250);
    assert.throws(() => flushIntervalMs({ SPRY_LOG_FLUSH: "soon" }), (error: Error) => error instanceof SettingError && /^SPRY_LOG_FLUSH must be a number of seconds/.test(error.message));
  });
});

describe("fatalLine", () => {
  test("pino's fatal level, the error as pino serializes it, and where it came from", () => {
    const error = new TypeError("bad");
    assert.deepEqual(JSON.parse(fatalLine(error, "uncaughtException", 5)), { level: 60, time: 5, origin: "uncaughtException", err: { type: "TypeError", message: "bad", stack: error.stack }, msg: "Uncaught exception: the process exits" });
    assert.deepEqual(JSON.parse(fatalLine("just a string", "unhandledRejection", 5)), { level: 60, time: 5, origin: "unhandledRejection", err: { type: "string", message: "just a string" }, msg: "Unhandled promise rejection: the process exits" });
    assert.ok(fatalLine(error, "uncaughtException", 5).endsWith("}\n"));
  });
});
