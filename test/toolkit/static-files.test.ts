import assert from "node:assert/strict";
import { after, test } from "node:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { Spry } from "spry";
import { staticFiles } from "spry/files";
import { APP_JS, makeFileTree } from "../support/files.ts";
import { forEachTransport } from "../support/transports.ts";

const tree = makeFileTree();
after(() => tree.remove());

forEachTransport("static files", (connect) => {
  const app = new Spry({ logger: false });
  app.mount("/static", staticFiles({ directory: tree.public }));
  app.mount("/site", staticFiles({ directory: tree.public, html: true }));
  app.mount("/packed", staticFiles({ directory: tree.public, precompressed: true }));
  app.mount("/cached", staticFiles({ directory: tree.public, maxAge: "1d", immutable: true }));
  app.get("/static-route", () => ({ beside: "the mount" }));
  const client = connect(app);

  test("a file with its content type, length, ETag and Last-Modified", async () => {
    const res = await client.get("/static/hello.txt");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "Hello, world!\n");
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(res.headers.get("content-length"), "14");
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.match(res.headers.get("etag")!, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(res.headers.get("last-modified"), statSync(join(tree.public, "hello.txt")).mtime.toUTCString());
    assert.equal((await client.get("/static/data.json")).headers.get("content-type"), "application/json; charset=utf-8");
    // The MIME table of @fastify/send (the mime package, version 3).
    assert.equal((await client.get("/static/app.js")).headers.get("content-type"), "application/javascript; charset=utf-8");
  });

  test("a percent-encoded Unicode name is found", async () => {
    const res = await client.get(`/static/${encodeURIComponent("naïve café.txt")}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "unicode name");
  });

  test("304 for a matching If-None-Match or a later If-Modified-Since, and 200 otherwise", async () => {
    const first = await client.get("/static/hello.txt");
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    const byTag = await client.get("/static/hello.txt", { headers: { "if-none-match": etag } });
    assert.equal(byTag.status, 304);
    assert.equal(await byTag.text(), "");
    assert.equal(byTag.headers.get("etag"), etag);
    const byDate = await client.get("/static/hello.txt", { headers: { "if-modified-since": lastModified } });
    assert.equal(byDate.status, 304);
    const stale = await client.get("/static/hello.txt", { headers: { "if-none-match": 'W/"0-0"' } });
    assert.equal(stale.status, 200);
    assert.equal(await stale.text(), "Hello, world!\n");
    const older = await client.get("/static/hello.txt", { headers: { "if-modified-since": new Date(0).toUTCString() } });
    assert.equal(older.status, 200);
  });

  test("Range: 206 with Content-Range, a suffix range, 416 past the end", async () => {
    const part = await client.get("/static/hello.txt", { headers: { range: "bytes=0-4" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 0-4/14");
    assert.equal(part.headers.get("content-length"), "5");
    assert.equal(await part.text(), "Hello");
    const suffix = await client.get("/static/hello.txt", { headers: { range: "bytes=-6" } });
    assert.equal(suffix.status, 206);
    assert.equal(await suffix.text(), "world!\n".slice(1));
    const beyond = await client.get("/static/hello.txt", { headers: { range: "bytes=100-200" } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), "bytes */14");
    assert.deepEqual(await beyond.json(), { detail: "Range Not Satisfiable" });
  });

  test("HEAD: the headers of GET, no body", async () => {
    const res = await client.head("/static/big.bin");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), String(256 * 1024));
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  test("a large file arrives whole", async () => {
    const res = await client.get("/static/big.bin");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(bytes.byteLength, 256 * 1024);
    assert.ok(bytes.every((b) => b === 7));
  });

  test("missing files, directories without html, dotfiles: 404 as JSON", async () => {
    for (const path of ["/static/nope.txt", "/static/docs", "/static/docs/", "/static/", "/static", "/static/.env"]) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(await res.json(), { detail: "Not Found" }, path);
    }
  });

  test("only GET and HEAD: other methods get 405 with Allow", async () => {
    const res = await client.post("/static/hello.txt");
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
  });

  test("html: index.html for a directory, a redirect to add the slash, 404.html with status 404", async () => {
    const root = await client.get("/site/");
    assert.equal(root.status, 200);
    assert.equal(await root.text(), "<h1>home</h1>");
    assert.equal(root.headers.get("content-type"), "text/html; charset=utf-8");
    const bare = await client.get("/site/docs");
    assert.equal(bare.status, 307);
    assert.equal(bare.headers.get("location"), "/site/docs/");
    assert.equal(await (await client.get("/site/docs/")).text(), "<h1>docs</h1>");
    const top = await client.get("/site");
    assert.equal(top.status, 307);
    assert.equal(top.headers.get("location"), "/site/");
    const missing = await client.get("/site/nope");
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "<h1>nothing here</h1>");
    assert.equal(missing.headers.get("content-type"), "text/html; charset=utf-8");
    const emptyDir = await client.get("/site/empty/");
    assert.equal(emptyDir.status, 404);
    assert.equal(await emptyDir.text(), "<h1>nothing here</h1>");
  });

  test("precompressed: .br or .gz by Accept-Encoding, with the original's type and Vary", async () => {
    const br = await client.get("/packed/app.js", { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(br.status, 200);
    assert.equal(br.headers.get("content-encoding"), "br");
    assert.equal(br.headers.get("content-type"), "application/javascript; charset=utf-8");
    assert.equal(br.headers.get("vary"), "accept-encoding");
    assert.equal(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString(), APP_JS);
    const gz = await client.get("/packed/app.js", { headers: { "accept-encoding": "gzip" } });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    const plain = await client.get("/packed/app.js");
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(plain.headers.get("vary"), "accept-encoding");
    assert.equal(await plain.text(), APP_JS);
    const refused = await client.get("/packed/app.js", { headers: { "accept-encoding": "br;q=0, gzip;q=0" } });
    assert.equal(refused.headers.get("content-encoding"), null);
    // No sibling: the file itself.
    const txt = await client.get("/packed/hello.txt", { headers: { "accept-encoding": "br" } });
    assert.equal(txt.headers.get("content-encoding"), null);
    assert.equal(await txt.text(), "Hello, world!\n");
  });

  test("Cache-Control from maxAge and immutable", async () => {
    const res = await client.get("/cached/hello.txt");
    assert.equal(res.headers.get("cache-control"), "public, max-age=86400, immutable");
  });

  test("a symlink inside the root is served; one pointing outside is a 404", async () => {
    assert.equal(await (await client.get("/static/link-in.txt")).text(), "Hello, world!\n");
    assert.equal((await client.get("/static/link-out.txt")).status, 404);
    assert.equal((await client.get("/static/dir-out/secret.txt")).status, 404);
  });

  test("routes beside the mount still answer", async () => {
    assert.deepEqual(await (await client.get("/static-route")).json(), { beside: "the mount" });
  });
});

forEachTransport("static files: followSymlinks", (connect) => {
  const app = new Spry({ logger: false });
  app.mount("/static", staticFiles({ directory: tree.public, followSymlinks: true }));
  const client = connect(app);

  test("with the option, a link pointing outside is followed", async () => {
    const res = await client.get("/static/link-out.txt");
    assert.equal(res.status, 200);
  });
});

test("a directory that does not exist fails when the app is built", () => {
  assert.throws(() => staticFiles({ directory: join(tree.base, "nope") }), /does not exist/);
});

test("staticFiles alone is a Fetch handler", async () => {
  const files = staticFiles({ directory: tree.public });
  const res = await files.fetch(new Request("http://x/hello.txt"));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "Hello, world!\n");
  assert.equal((await files.fetch(new Request("http://x/nope"))).status, 404);
  assert.equal((await files.fetch(new Request("http://x/hello.txt", { method: "DELETE" }))).status, 405);
});
