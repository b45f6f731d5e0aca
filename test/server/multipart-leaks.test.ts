// docs/reliability.md row 16 over real sockets, each case 1,000 times: every answer is the expected
// 413 or 400, and afterwards the server holds no connection, the process no extra handle, the
// temporary directory no upload, and nothing was logged as an error.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { Spry, file, form } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { BOUNDARY, multipartBody, uploadDirs } from "../support/multipart.ts";
import { settledResources } from "../support/resources.ts";
import { eventually, TestServer } from "../support/server.ts";

const tmp = mkdtempSync(join(tmpdir(), "spry-multipart-leaks-"));
process.env.TMPDIR = tmp;

const REPEAT = 1000;
const PARALLEL = 8;
const SPOOL = 16 * 1024;

const logger = recordingLogger();
const app = new Spry({ logger, limits: { spoolThreshold: SPOOL } });
app.post("/upload", { title: form(z.string().optional()), doc: file({ required: false }) }, ({ doc }) => doc?.size ?? 0);
app.post("/wide", { text: form(z.string()) }, ({ text }) => text.length, { bodyLimit: 4 * 1024 * 1024 });
app.get("/ok", () => "ok");

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(async () => {
  await srv.close();
  rmSync(tmp, { recursive: true, force: true });
});

function request(path: string, body: Buffer, type = `multipart/form-data; boundary=${BOUNDARY}`): Buffer {
  const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

const twoMegabytes = multipartBody([{ name: "text", value: Buffer.alloc(2_000_000, "t") }]);

// The part limit is found when its part ends, so that case reads 2 MB each time: it runs
// fewer times, to keep the suite quick.
const cases: [name: string, bytes: Buffer, status: number, times?: number][] = [
  ["10,000 empty fields", request("/upload", multipartBody(Array.from({ length: 10_000 }, () => ({ name: "f", value: "" })))), 413],
  ["a 2 MB text field, under the default body limit", request("/upload", twoMegabytes), 413],
  ["a 2 MB text field, on a route allowing a 4 MiB body", request("/wide", twoMegabytes), 413, 200],
  ["no boundary", request("/upload", multipartBody([{ name: "title", value: "t" }]), "multipart/form-data"), 400],
  ["1 MB of preamble", request("/upload", Buffer.concat([Buffer.alloc(1_000_000, "p"), Buffer.from("\r\n"), multipartBody([])])), 400],
  ["a malformed part header", request("/upload", Buffer.from(`--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`)), 400],
  [
    "a file spooled to disk, then a malformed part",
    request("/upload", Buffer.concat([
      multipartBody([{ name: "doc", value: Buffer.alloc(SPOOL * 2, "d"), filename: "d.bin" }]).subarray(0, -(BOUNDARY.length + 6)),
      Buffer.from(`--${BOUNDARY}\r\nbroken header\r\n\r\n`),
    ])),
    400,
  ],
];


describe("docs/reliability.md row 16, repeated", () => {
  for (const [name, bytes, status, times = REPEAT] of cases) {
    test(`${name}, ${times} times: ${status}; connections, handles and temporary files back to their baseline`, async (t) => {
      assert.equal((await srv.get("/ok")).status, 200);
      assert.ok(await eventually(async () => (await srv.connections()) === 0));
      const baseline = await settledResources();
      const started = performance.now();
      let next = 0;
      const worker = async () => {
        while (next++ < times) {
          const { response, connection } = await srv.send(bytes);
          assert.equal(response.status, status, response.body);
          await connection.closedByServer();
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      t.diagnostic(`${name}: ${times} requests in ${(performance.now() - started).toFixed(0)} ms`);

      let now: string[] = [];
      const settled = await eventually(async () => {
        now = await settledResources();
        return (await srv.connections()) === 0 && now.length <= baseline.length && uploadDirs(tmp).length === 0;
      });
      assert.ok(settled, `connections: ${await srv.connections()}; uploads: ${uploadDirs(tmp).length}; handles before: ${baseline.join(", ")}; after: ${now.join(", ")}`);
      assert.deepEqual(now, baseline);
      assert.equal((await srv.get("/ok")).status, 200);
      assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
    });
  }
});
