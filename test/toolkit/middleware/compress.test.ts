import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, describe, test } from "node:test";
import { brotliDecompressSync, createBrotliDecompress, createGunzip, gunzipSync, gzipSync } from "node:zlib";
import { Spry, json } from "spry";
import { compress, type CompressOptions } from "spry/middleware";
import { PATIENCE_MS, TestServer, eventually } from "../../support/server.ts";
import { forEachTransport } from "../../support/transports.ts";

const TEXT = "spry compresses what is worth compressing. ".repeat(40); // 1,760 bytes
const BINARY = new Uint8Array(randomBytes(4096));
const encoder = new TextEncoder();

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

function compressApp(options?: CompressOptions): Spry {
  const app = new Spry({ logger: false }).use(compress(options));
  app.get("/text", () => new Response(TEXT, { headers: { "content-type": "text/plain", etag: '"v1"' } }));
  app.get("/json", () => ({ text: TEXT }));
  app.get("/small", () => "x".repeat(100));
  app.get("/binary", () => new Response(BINARY, { headers: { "content-type": "application/octet-stream" } }));
  app.get("/stream", () => new Response(streamOf(TEXT.slice(0, 600), TEXT.slice(600)), { headers: { "content-type": "text/plain" } }));
  app.get("/encoded", () => new Response(gzipSync(TEXT), { headers: { "content-encoding": "gzip", "content-type": "text/plain" } }));
  app.get("/encoded-reply", () => json({ text: TEXT }, { headers: { "Content-Encoding": "identity" } }));
  app.get("/events", () => new Response(streamOf(`data: ${TEXT}\n\n`), { headers: { "content-type": "text/event-stream" } }));
  app.get("/no-transform", () => new Response(TEXT, { headers: { "cache-control": "public, no-transform" } }));
  app.get("/partial", () => new Response(TEXT, { status: 206, headers: { "content-range": `bytes 0-${TEXT.length - 1}/9999` } }));
  app.get("/empty", () => new Response(null, { status: 204 }));
  app.get("/not-modified", () => new Response(null, { status: 304, headers: { etag: '"v1"' } }));
  return app;
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const accept = (value: string) => ({ headers: { "accept-encoding": value } });

forEachTransport("compress", (connect) => {
  const client = connect(compressApp());

  test("gzip: the bytes decompress to the original; a sized body gets the compressed length", async () => {
    const res = await client.get("/json", accept("gzip"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-encoding"), "gzip");
    assert.equal(res.headers.get("vary"), "Accept-Encoding");
    const body = await bytesOf(res);
    assert.equal(res.headers.get("content-length"), String(body.byteLength));
    assert.equal(gunzipSync(body).toString(), JSON.stringify({ text: TEXT }));
    assert.ok(body.byteLength < TEXT.length / 5);
    // A Response's body is a stream, whose size is unknown until it has been sent.
    const text = await client.get("/text", accept("gzip"));
    assert.equal(text.headers.get("content-encoding"), "gzip");
    assert.equal(text.headers.get("content-type"), "text/plain");
    assert.equal(gunzipSync(await bytesOf(text)).toString(), TEXT);
    const binary = await client.get("/binary", accept("gzip"));
    assert.deepEqual(new Uint8Array(gunzipSync(await bytesOf(binary))), BINARY, "byte for byte, for bytes that do not compress");
  });

  test("br is preferred on a tie; q-values decide otherwise; q=0 and unknown codings refuse", async () => {
    const cases: [string | undefined, string | null][] = [
      ["gzip, deflate, br", "br"],
      ["gzip;q=1.0, br;q=1", "br"],
      ["br;q=0.5, gzip", "gzip"],
      ["BR;Q=0.9, GZIP;q=0.8", "br"],
      ["x-gzip", "gzip"],
      ["*", "br"],
      ["*;q=0.1, gzip;q=0.5", "gzip"],
      ["br;q=0, *", "gzip"],
      ["gzip;q=0, br;q=0", null],
      ["gzip;q=abc", null],
      ["deflate, identity", null],
      ["", null],
      [undefined, null],
    ];
    for (const [header, expected] of cases) {
      const res = await client.get("/text", header === undefined ? {} : accept(header));
      assert.equal(res.headers.get("content-encoding"), expected, `Accept-Encoding: ${header}`);
      assert.equal(res.headers.get("vary"), "Accept-Encoding", "whether or not this client gets it compressed");
      const body = await bytesOf(res);
      const text = expected === "br" ? brotliDecompressSync(body).toString() : expected === "gzip" ? gunzipSync(body).toString() : new TextDecoder().decode(body);
      assert.equal(text, TEXT);
    }
  });

  test("a strong ETag becomes weak once the bytes are compressed", async () => {
    assert.equal((await client.get("/text", accept("br"))).headers.get("etag"), 'W/"v1"');
    assert.equal((await client.get("/text")).headers.get("etag"), '"v1"');
  });

  test("a streamed body is compressed as a stream, without Content-Length", async () => {
    for (const [encoding, decode] of [["gzip", gunzipSync], ["br", brotliDecompressSync]] as const) {
      const res = await client.get("/stream", accept(encoding));
      assert.equal(res.headers.get("content-encoding"), encoding);
      assert.equal(res.headers.get("content-length"), null);
      assert.equal(decode(await bytesOf(res)).toString(), TEXT);
    }
  });

  test("left alone: small bodies, encoded responses, event streams, no-transform, 206, 204, 304, HEAD", async () => {
    const small = await client.get("/small", accept("gzip, br"));
    assert.equal(small.headers.get("content-encoding"), null);
    assert.equal(small.headers.get("vary"), null);
    assert.equal(small.headers.get("content-length"), "102");
    const encoded = await client.get("/encoded", accept("br"));
    assert.equal(encoded.headers.get("content-encoding"), "gzip");
    assert.equal(gunzipSync(await bytesOf(encoded)).toString(), TEXT, "compressed once, not twice");
    const reply = await client.get("/encoded-reply", accept("gzip"));
    assert.equal(reply.headers.get("content-encoding"), "identity", "found under any spelling");
    assert.equal(await reply.text(), JSON.stringify({ text: TEXT }));
    for (const path of ["/events", "/no-transform", "/partial"]) {
      const res = await client.get(path, accept("gzip, br"));
      assert.equal(res.headers.get("content-encoding"), null, path);
      assert.match(await res.text(), /spry compresses/, path);
    }
    for (const [path, status] of [["/empty", 204], ["/not-modified", 304]] as const) {
      const res = await client.get(path, accept("gzip"));
      assert.equal(res.status, status);
      assert.equal(res.headers.get("content-encoding"), null);
      assert.equal(res.headers.get("vary"), null);
    }
    const head = await client.head("/text", accept("gzip"));
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-encoding"), null);
  });

  test("the options: minimumSize, gzipLevel, brotliQuality, encodings", async () => {
    const strict = connect(compressApp({ minimumSize: 2000, encodings: ["gzip"] }));
    assert.equal((await strict.get("/json", accept("gzip"))).headers.get("content-encoding"), null, "1,771 bytes < 2,000");
    assert.equal((await strict.get("/binary", accept("br"))).headers.get("content-encoding"), null, "br is not offered");
    assert.equal((await strict.get("/binary", accept("br, gzip"))).headers.get("content-encoding"), "gzip");
    const fast = await bytesOf(await connect(compressApp({ gzipLevel: 1 })).get("/json", accept("gzip")));
    const best = await bytesOf(await client.get("/json", accept("gzip")));
    assert.equal(gunzipSync(fast).toString(), gunzipSync(best).toString());
    assert.notDeepEqual(fast, best, "the level reaches zlib");
    const q0 = await bytesOf(await connect(compressApp({ brotliQuality: 0 })).get("/json", accept("br")));
    assert.equal(brotliDecompressSync(q0).toString(), JSON.stringify({ text: TEXT }));
  });
});

// Over a real socket: a compressed stream must still stream, chunk by chunk.
describe("compress on a real socket", () => {
  let release: () => void = () => {};
  let cancelled = false;
  const app = new Spry({ logger: false }).use(compress());
  app.get("/ticks", () => {
    const gate = new Promise<void>((resolve) => (release = resolve));
    let step = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          step++;
          if (step === 1) return controller.enqueue(encoder.encode("first tick\n"));
          await gate;
          controller.enqueue(encoder.encode(`second tick\n${TEXT}`));
          controller.close();
        },
      }),
      { headers: { "content-type": "text/plain" } },
    );
  });
  app.get("/forever", () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(encoder.encode("one tick\n")),
        cancel: () => void (cancelled = true),
      }),
    ),
  );
  let server: TestServer;
  const started = TestServer.start(app).then((s) => (server = s));
  after(() => server.close());

  // Streams /path decompressed; onText sees what has arrived so far, after every chunk, and
  // may stop (the client leaves), which settles the promise with what arrived.
  function get(path: string, encoding: string, onText: (text: string, stop: () => void) => void): Promise<{ headers: Record<string, unknown>; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path, headers: { "accept-encoding": encoding }, agent: false }, (res) => {
        const unzip = encoding === "br" ? createBrotliDecompress() : createGunzip();
        let text = "";
        const stop = () => {
          req.destroy();
          resolve({ headers: res.headers, text });
        };
        res.pipe(unzip);
        unzip.setEncoding("utf8");
        unzip.on("data", (chunk: string) => onText((text += chunk), stop));
        unzip.on("end", () => resolve({ headers: res.headers, text }));
        unzip.on("error", reject);
      });
      req.setTimeout(PATIENCE_MS, () => req.destroy(new Error(`no answer within ${PATIENCE_MS} ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  for (const encoding of ["gzip", "br"]) {
    test(`${encoding}: the first chunk arrives, decompressed, before the stream ends`, async () => {
      await started;
      let firstBeforeEnd = false;
      const res = await get("/ticks", encoding, (text) => {
        if (text === "first tick\n") {
          firstBeforeEnd = true;
          release();
        }
      });
      assert.ok(firstBeforeEnd, "the handler's stream was held open until the first chunk had arrived");
      assert.equal(res.text, `first tick\nsecond tick\n${TEXT}`);
      assert.equal(res.headers["content-encoding"], encoding);
      assert.equal(res.headers["transfer-encoding"], "chunked");
      assert.equal(res.headers["content-length"], undefined);
    });
  }

  test("a client leaving mid-stream cancels the source through the compressor", async () => {
    await started;
    const left = await get("/forever", "gzip", (text, stop) => {
      if (text === "one tick\n") stop();
    });
    assert.equal(left.text, "one tick\n", "the first chunk came through the compressor at once");
    assert.ok(await eventually(() => cancelled), "the source's cancel() ran");
    assert.equal((await server.get("/missing")).status, 404, "the server answers on");
  });
});
