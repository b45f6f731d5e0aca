// The docs pages' assets: Swagger UI's 1.5 MB bundle is compressed once and kept, never by
// compress() on every load; /redoc without the optional redoc package says what to install.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Spry } from "spry";
import { compress } from "spry/middleware";
import { registerDocs } from "../../src/framework/openapi/routes.ts";
import { forEachTransport } from "../support/transports.ts";

const require = createRequire(import.meta.url);
const bundle = readFileSync(join(dirname(require.resolve("swagger-ui-dist/package.json")), "swagger-ui-bundle.js"));

forEachTransport("docs assets", (connect) => {
  test("served precompressed, kept between requests, and left alone by compress()", async () => {
    const app = new Spry({ logger: false });
    app.use(compress());
    const client = connect(app);
    const first = await client.get("/docs/swagger-ui-bundle.js", { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-encoding"), "br");
    assert.equal(first.headers.get("vary"), "Accept-Encoding");
    // A strong ETag: compress() weakens the tag of whatever it compresses itself.
    const etag = first.headers.get("etag")!;
    assert.match(etag, /^"[\w-]+-br"$/);
    const compressed = Buffer.from(await first.arrayBuffer());
    assert.ok(compressed.byteLength < bundle.byteLength / 3);
    // Decompressed once it is the file: it was not compressed a second time on its way out.
    assert.ok(brotliDecompressSync(compressed).equals(bundle));
    const started = process.cpuUsage();
    const again = await client.get("/docs/swagger-ui-bundle.js", { headers: { "accept-encoding": "br" } });
    const cpu = process.cpuUsage(started);
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(compressed));
    assert.equal(again.headers.get("etag"), etag);
    // Compressing 1.5 MB takes hundreds of ms of CPU; handing out the kept bytes takes a few.
    assert.ok(cpu.user + cpu.system < 150_000, `the second load took ${cpu.user + cpu.system} µs of CPU`);
    const gzip = await client.get("/docs/swagger-ui-bundle.js", { headers: { "accept-encoding": "gzip" } });
    assert.equal(gzip.headers.get("content-encoding"), "gzip");
    assert.ok(gunzipSync(Buffer.from(await gzip.arrayBuffer())).equals(bundle));
    const plain = await client.get("/docs/swagger-ui.css");
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(plain.headers.get("cache-control"), "public, max-age=86400");
  });
});

test("/redoc without the redoc package says on the page what to install", async () => {
  const routes = new Map<string, (inputs: {}, ctx: { readonly rootPath: string; header(name: string): string | undefined }) => Response | Promise<Response>>();
  const host = { get: (path: string, handler: never) => routes.set(path, handler), openapiJson: () => "{}" };
  const missing = { contentType: "text/javascript", available: () => false, load: () => Promise.reject(new Error("not installed")) };
  registerDocs(host, {}, "Shop", "", { "redoc.standalone.js": missing });
  const page = await (await routes.get("/redoc")!({}, { rootPath: "", header: () => undefined })).text();
  assert.match(page, /ReDoc is not installed/);
  assert.match(page, /npm install redoc/);
  assert.match(page, /href="\/openapi.json"/);
  assert.doesNotMatch(page, /<redoc /);
  // With the package (a devDependency here) the page is ReDoc's.
  const app = new Spry({ logger: false });
  const real = await (await connectFirst(app).get("/redoc")).text();
  assert.match(real, /<redoc spec-url="\/openapi.json"><\/redoc>/);
});

function connectFirst(app: Spry) {
  return { get: (path: string) => app.fetch(new Request(`http://testserver${path}`)) };
}
