// docs/reliability.md row 25 for files: a client that leaves while a file streams. Writing
// stops, the file is closed (its descriptor given back), no EPIPE reaches the process, and after
// 1,000 repeats open descriptors are back at their baseline.
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Spry } from "spry";
import { staticFiles } from "spry/files";
import { makeFileTree } from "../support/files.ts";
import { recordingLogger } from "../support/logger.ts";
import { eventually, head, TestServer } from "../support/server.ts";

const tree = makeFileTree();
writeFileSync(join(tree.public, "large.bin"), Buffer.alloc(4 * 1024 * 1024, 1));
const logger = recordingLogger();
const app = new Spry({ logger });
app.mount("/static", staticFiles({ directory: tree.public }));
let server: TestServer;
before(async () => (server = await TestServer.start(app)));
after(async () => {
  await server.close();
  tree.remove();
});

const openFiles = () => readdirSync("/proc/self/fd").length;

async function leaveMidFile(): Promise<void> {
  const connection = await server.connect();
  const firstBytes = new Promise<void>((resolve) => connection.socket.once("data", () => resolve()));
  connection.write(head("GET /static/large.bin HTTP/1.1", "Host: testserver"));
  await firstBytes;
  // A reset, not a polite close: the server's next write fails.
  connection.socket.resetAndDestroy();
}

test("1,000 clients that reset mid-file: descriptors back to baseline, nothing logged, still serving", async () => {
  await leaveMidFile();
  assert.ok(await eventually(async () => (await server.connections()) === 0));
  const baseline = openFiles();
  for (let i = 0; i < 1000; i++) await leaveMidFile();
  assert.ok(await eventually(async () => (await server.connections()) === 0), "connections left open");
  assert.ok(await eventually(() => openFiles() <= baseline), `open descriptors ${openFiles()} > baseline ${baseline}`);
  assert.deepEqual(logger.entries.filter((entry) => entry.level === "error"), []);
  const res = await server.get("/static/hello.txt");
  assert.equal(res.status, 200);
  assert.equal(res.body, "Hello, world!\n");
});
