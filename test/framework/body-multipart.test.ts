import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { z } from "zod";
import { Spry, file, files, form, type UploadFile } from "spry";
import { BOUNDARY, multipart, multipartBody, uploadDirs, uploadsGone } from "../support/multipart.ts";
import { eventually, PATIENCE_MS, TestServer } from "../support/server.ts";
import { forEachTransport } from "../support/transports.ts";

// Uploads are spooled under os.tmpdir(): this file's own, so that what is left in it is ours.
const tmp = mkdtempSync(join(tmpdir(), "spry-multipart-test-"));
process.env.TMPDIR = tmp;
after(() => rmSync(tmp, { recursive: true, force: true }));

const SPOOL = 64 * 1024;

interface Seen {
  path: string | undefined;
  existed: boolean;
}

function app(seen: Seen[] = []): Spry {
  const app = new Spry({ logger: false, limits: { spoolThreshold: SPOOL } });
  const describe = async (f: UploadFile) => {
    seen.push({ path: f.path, existed: f.path !== undefined && existsSync(f.path) });
    return { filename: f.filename, contentType: f.contentType, size: f.size, text: await f.text(), onDisk: f.path !== undefined };
  };
  app.post("/upload", { title: form(z.string()), doc: file() }, async ({ title, doc }) => ({ title, doc: await describe(doc) }));
  app.post("/optional", { doc: file({ required: false }) }, ({ doc }) => (doc === undefined ? null : doc.filename));
  app.post("/many", { docs: files() }, async ({ docs }) => Promise.all(docs.map(describe)));
  app.post("/image", { image: file({ contentTypes: ["image/*", "application/pdf"], maxSize: 1000 }) }, ({ image }) => image.contentType);
  app.post("/bytes", { doc: file() }, async ({ doc }) => {
    const bytes = await doc.bytes();
    let streamed = 0;
    for await (const chunk of doc.stream()) streamed += (chunk as Buffer).length;
    return { first: bytes[0], last: bytes[bytes.length - 1], length: bytes.byteLength, streamed };
  });
  app.post("/throws", { doc: file() }, async ({ doc }) => {
    await describe(doc);
    throw new Error("handler failed after the upload");
  });
  app.post("/needs-both", { doc: file(), count: form(z.int()) }, () => "unreachable");
  app.post("/raw", { doc: file() }, async (_, ctx) => (await ctx.body()).byteLength);
  app.post("/big-route", { text: form(z.string()) }, ({ text }) => text.length, { bodyLimit: 4 * 1024 * 1024 });
  return app;
}

const big = (size: number) => Buffer.alloc(size, "abcdefghij");
const ok = [{ name: "title", value: "t" }, { name: "doc", value: "small", filename: "s.txt", contentType: "text/plain" }];

forEachTransport("multipart bodies and uploads", (connect) => {
  const seen: Seen[] = [];
  const client = connect(app(seen));
  const send = (path: string, body: string | Buffer, headers = multipart([]).headers) => client.post(path, { body, headers });

  // Each refusal is followed by a well-formed request, and leaves no temporary file behind.
  async function stillServes(): Promise<void> {
    const res = await client.post("/upload", multipart(ok));
    assert.equal(res.status, 200);
    assert.deepEqual(await uploadsGone(tmp), []);
  }

  test("fields and files: filename, content type, size and content", async () => {
    const res = await client.post("/upload", multipart([
      { name: "title", value: "Report" },
      { name: "doc", value: "héllo wörld", filename: "notes.txt", contentType: "text/plain" },
    ]));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      title: "Report",
      doc: { filename: "notes.txt", contentType: "text/plain", size: Buffer.byteLength("héllo wörld"), text: "héllo wörld", onDisk: false },
    });
  });

  test("a file without a content type is text/plain, as RFC 7578 says; a path in its name is dropped", async () => {
    const res = await client.post("/upload", multipart([{ name: "title", value: "t" }, { name: "doc", value: "x", filename: "../../etc/passwd" }]));
    const { doc } = await res.json();
    assert.equal(doc.filename, "passwd");
    assert.equal(doc.contentType, "text/plain");
  });

  test("bytes() and stream() give the whole file, in memory and spooled", async () => {
    for (const size of [10, SPOOL * 3 + 7]) {
      const content = big(size);
      const res = await client.post("/bytes", multipart([{ name: "doc", value: content, filename: "b.bin" }]));
      assert.deepEqual(await res.json(), { first: content[0], last: content[size - 1], length: size, streamed: size });
    }
  });

  test("files() collects every file of the field, in order", async () => {
    const res = await client.post("/many", multipart([
      { name: "docs", value: "one", filename: "1.txt" },
      { name: "other", value: "ignored", filename: "x.txt" },
      { name: "docs", value: "two", filename: "2.txt" },
    ]));
    assert.deepEqual((await res.json()).map((d: { text: string }) => d.text), ["one", "two"]);
  });

  test("a browser's empty file input (filename=\"\") is no file", async () => {
    assert.equal(await (await client.post("/optional", multipart([{ name: "doc", value: "", filename: "", contentType: "application/octet-stream" }]))).json(), null);
    assert.equal(await (await client.post("/optional", multipart([{ name: "doc", value: "x", filename: "a" }]))).json(), "a");
    const required = await client.post("/upload", multipart([{ name: "title", value: "t" }, { name: "doc", value: "", filename: "" }]));
    assert.deepEqual((await required.json()).detail, [{ type: "missing", loc: ["body", "doc"], msg: "Field required", input: null }]);
  });

  test("a text field where a file is declared: 422, as FastAPI's Expected UploadFile", async () => {
    const res = await client.post("/upload", multipart([{ name: "title", value: "t" }, { name: "doc", value: "not a file" }]));
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail, [
      { type: "value_error", loc: ["body", "doc"], msg: "Value error, Expected UploadFile, received: a text field", input: "not a file" },
    ]);
  });

  test("contentTypes: others are 422; maxSize: 413 while reading", async () => {
    assert.equal(await (await client.post("/image", multipart([{ name: "image", value: "x", filename: "a.png", contentType: "image/png" }]))).json(), "image/png");
    assert.equal((await client.post("/image", multipart([{ name: "image", value: "x", filename: "a.pdf", contentType: "application/pdf" }]))).status, 200);
    const wrong = await client.post("/image", multipart([{ name: "image", value: "x", filename: "a.txt", contentType: "text/plain" }]));
    assert.equal(wrong.status, 422);
    assert.deepEqual((await wrong.json()).detail[0].loc, ["body", "image"]);
    const large = await client.post("/image", multipart([{ name: "image", value: big(1001), filename: "a.png", contentType: "image/png" }]));
    assert.equal(large.status, 413);
    assert.match((await large.json()).detail, /larger than 1000 bytes/);
    await stillServes();
  });

  test("a file past the spool threshold is on disk during the handler and gone after the response", async () => {
    seen.length = 0;
    const res = await client.post("/upload", multipart([{ name: "title", value: "t" }, { name: "doc", value: big(SPOOL + 1), filename: "big.bin" }]));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).doc.onDisk, true);
    const [{ path, existed }] = seen as [Seen];
    assert.ok(path?.startsWith(tmp), String(path));
    assert.equal(existed, true);
    assert.deepEqual(await uploadsGone(tmp), []);
  });

  test("spooled files are removed when the handler throws, or validation fails", async () => {
    seen.length = 0;
    const threw = await client.post("/throws", multipart([{ name: "doc", value: big(SPOOL * 2), filename: "big.bin" }]));
    assert.equal(threw.status, 500);
    assert.equal(seen[0]?.existed, true);
    assert.deepEqual(await uploadsGone(tmp), []);
    const invalid = await client.post("/needs-both", multipart([{ name: "doc", value: big(SPOOL * 2), filename: "big.bin" }, { name: "count", value: "x" }]));
    assert.equal(invalid.status, 422);
    assert.deepEqual(await uploadsGone(tmp), []);
  });

  test("ctx.body() after a multipart body was streamed: a 500, not a request that never ends", async () => {
    assert.equal((await client.post("/raw", multipart([{ name: "doc", value: "x", filename: "a" }]))).status, 500);
  });

  test("the Fetch API's FormData, encoded by the platform", async () => {
    const data = new FormData();
    data.append("title", "From FormData");
    data.append("doc", new Blob(["blob content"], { type: "text/csv" }), "table.csv");
    const encoded = new Response(data);
    const res = await client.post("/upload", { body: Buffer.from(await encoded.arrayBuffer()), headers: { "content-type": encoded.headers.get("content-type")! } });
    assert.deepEqual(await res.json(), {
      title: "From FormData",
      doc: { filename: "table.csv", contentType: "text/csv", size: 12, text: "blob content", onDisk: false },
    });
  });

  // docs/reliability.md row 16, each case exactly, each timed and followed by a normal request.
  test("row 16: 10,000 empty fields: 413 at the 1,001st", async (t) => {
    const body = multipartBody(Array.from({ length: 10_000 }, () => ({ name: "f", value: "" })));
    const started = performance.now();
    const res = await send("/upload", body);
    const ms = performance.now() - started;
    t.diagnostic(`10,000 empty fields (${body.length} bytes): ${res.status} in ${ms.toFixed(1)} ms`);
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { detail: "Too many form fields (limit 1000)" });
    assert.equal(res.headers.get("connection"), "close", "the rest of the body is never read");
    assert.ok(ms < PATIENCE_MS);
    await stillServes();
  });

  test("row 16: a 2 MB text field: 413, from the body limit or, where a route allows more, the part limit", async (t) => {
    const body = multipartBody([{ name: "text", value: big(2_000_000) }]);
    const started = performance.now();
    const res = await send("/upload", body);
    const fromBody = performance.now() - started;
    assert.equal(res.status, 413);
    assert.match((await res.json()).detail, /Request body is larger than 1048576 bytes/);
    const partStarted = performance.now();
    const part = await send("/big-route", body);
    const fromPart = performance.now() - partStarted;
    t.diagnostic(`2 MB text field: body limit ${res.status} in ${fromBody.toFixed(1)} ms, part limit ${part.status} in ${fromPart.toFixed(1)} ms`);
    assert.equal(part.status, 413);
    assert.deepEqual(await part.json(), { detail: 'Form field "text" is larger than 1048576 bytes' });
    assert.equal(await (await send("/big-route", multipartBody([{ name: "text", value: big(1024 * 1024) }]))).json(), 1024 * 1024);
    await stillServes();
  });

  test("row 16: no boundary: 400", async () => {
    for (const type of ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8"]) {
      const res = await send("/upload", multipartBody(ok), { "content-type": type });
      assert.equal(res.status, 400, type);
      assert.deepEqual(await res.json(), { detail: "Missing boundary in multipart/form-data" });
    }
    await stillServes();
  });

  test("row 16: 1 MB of preamble: 400 after the first KiB, not scanned to its end", async (t) => {
    const body = Buffer.concat([big(1_000_000), Buffer.from("\r\n"), multipartBody(ok)]);
    const started = performance.now();
    const res = await send("/upload", body);
    t.diagnostic(`1 MB preamble (${body.length} bytes): ${res.status} in ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: "Invalid multipart body: no boundary within its first 1024 bytes" });
    const short = await send("/upload", Buffer.concat([Buffer.from("a short preamble\r\n"), multipartBody(ok)]));
    assert.equal(short.status, 200, "a preamble of a few bytes is allowed, as RFC 2046 says");
    await stillServes();
  });

  test("row 16: a malformed part header: 400", async () => {
    const malformed = [
      `--${BOUNDARY}\r\nContent-Disposition form-data; name="title"\r\n\r\nt\r\n--${BOUNDARY}--\r\n`,
      `--${BOUNDARY}\r\n: no name\r\n\r\nt\r\n--${BOUNDARY}--\r\n`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n${"X-Long: y\r\n".repeat(2000)}\r\nt\r\n--${BOUNDARY}--\r\n`,
    ];
    for (const body of malformed) {
      const res = await send("/upload", body);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { detail: "Invalid multipart body: a part's header is malformed" });
    }
    await stillServes();
  });

  test("a truncated body, mid-file and past the spool threshold: 400, its temporary file removed", async () => {
    const whole = multipartBody([{ name: "title", value: "t" }, { name: "doc", value: big(SPOOL * 2), filename: "big.bin" }]);
    for (const cut of [whole.length - 10, SPOOL + 500, 40]) {
      const res = await send("/upload", whole.subarray(0, cut));
      assert.equal(res.status, 400, `cut at ${cut}`);
      assert.deepEqual(await res.json(), { detail: "Invalid multipart body: it ends before its closing boundary" });
    }
    await stillServes();
  });

  test("more files or fields than the app's limits: 413", async () => {
    const strict = new Spry({ logger: false, limits: { maxFiles: 2, maxPartSize: 10 } });
    strict.post("/u", { docs: files(), note: form(z.string().optional()) }, ({ docs }) => docs.length);
    const strictClient = connect(strict);
    const doc = (i: number) => ({ name: "docs", value: `${i}`, filename: `${i}.txt` });
    assert.equal(await (await strictClient.post("/u", multipart([doc(1), doc(2)]))).json(), 2);
    const three = await strictClient.post("/u", multipart([doc(1), doc(2), doc(3)]));
    assert.equal(three.status, 413);
    assert.deepEqual(await three.json(), { detail: "Too many files (limit 2)" });
    assert.equal((await strictClient.post("/u", multipart([doc(1), { name: "note", value: "0123456789" }]))).status, 200);
    assert.equal((await strictClient.post("/u", multipart([doc(1), { name: "note", value: "0123456789X" }]))).status, 413);
  });
});

test("a client that disconnects mid-upload: its spooled file is removed, the server still serves", async () => {
  const server = await TestServer.start(app());
  try {
    const file = big(SPOOL * 4);
    const body = multipartBody([{ name: "title", value: "t" }, { name: "doc", value: file, filename: "big.bin" }]);
    const connection = await server.connect();
    connection.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    // Past the threshold, so the file is on disk, then gone.
    connection.write(body.subarray(0, SPOOL * 2));
    assert.ok(await eventually(() => uploadDirs(tmp).length === 1), "the upload is being spooled");
    connection.socket.destroy();
    assert.deepEqual(await uploadsGone(tmp), []);
    assert.equal((await server.get("/upload")).status, 405);
  } finally {
    await server.close();
  }
});
