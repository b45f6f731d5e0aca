import assert from "node:assert/strict";
import { after, test } from "node:test";
import { join } from "node:path";
import { HTTPException, Spry } from "spry";
import { fileResponse, safePath } from "spry/files";
import { makeFileTree } from "../support/files.ts";
import { forEachTransport } from "../support/transports.ts";

const tree = makeFileTree();
after(() => tree.remove());

forEachTransport("fileResponse", (connect) => {
  const app = new Spry({ logger: false });
  app.get("/hello", (_, ctx) => fileResponse(ctx, join(tree.public, "hello.txt")));
  app.get("/download", (_, ctx) => fileResponse(ctx, join(tree.public, "hello.txt"), { filename: "Grüße €.txt" }));
  app.get("/inline", (_, ctx) => fileResponse(ctx, join(tree.public, "hello.txt"), { disposition: "inline", contentType: "text/markdown" }));
  app.get("/dotfile", (_, ctx) => fileResponse(ctx, join(tree.public, ".env")));
  app.get("/missing", (_, ctx) => fileResponse(ctx, join(tree.public, "nope.txt")));
  app.get("/directory", (_, ctx) => fileResponse(ctx, join(tree.public, "docs")));
  const client = connect(app);

  test("one file: type, length, validators, conditional and ranged GET, HEAD", async () => {
    const res = await client.get("/hello");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await res.text(), "Hello, world!\n");
    const etag = res.headers.get("etag")!;
    assert.equal((await client.get("/hello", { headers: { "if-none-match": etag } })).status, 304);
    const part = await client.get("/hello", { headers: { range: "bytes=7-11" } });
    assert.equal(part.status, 206);
    assert.equal(await part.text(), "world");
    const head = await client.head("/hello");
    assert.equal(head.headers.get("content-length"), "14");
    assert.equal(await head.text(), "");
  });

  test("a download name, in ASCII and RFC 8187 forms", async () => {
    const res = await client.get("/download");
    assert.equal(res.headers.get("content-disposition"), `attachment; filename="Gr??e ?.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%E2%82%AC.txt`);
  });

  test("inline, with the content type given", async () => {
    const res = await client.get("/inline");
    assert.equal(res.headers.get("content-disposition"), "inline");
    assert.equal(res.headers.get("content-type"), "text/markdown");
  });

  test("the server's own choice of a dotfile is served; a missing file or a directory is a 404", async () => {
    assert.equal(await (await client.get("/dotfile")).text(), "SECRET=1");
    const missing = await client.get("/missing");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { detail: "Not Found" });
    assert.equal((await client.get("/directory")).status, 404);
  });
});

test("fileResponse takes a Fetch Request too", async () => {
  const res = await fileResponse(new Request("http://x/", { headers: { range: "bytes=0-4" } }), join(tree.public, "hello.txt"));
  assert.equal(res.status, 206);
  assert.equal(await res.text(), "Hello");
});

async function refused(promise: Promise<string>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HTTPException) return error.status;
    throw error;
  }
  return 200;
}

test("safePath: inside the root it answers the absolute path; anything else is a 404 (a NUL a 400)", async () => {
  assert.equal(await safePath(tree.public, "hello.txt"), join(tree.public, "hello.txt"));
  assert.equal(await safePath(tree.public, "docs/index.html"), join(tree.public, "docs", "index.html"));
  assert.equal(await safePath(tree.public, "link-in.txt"), join(tree.public, "link-in.txt"));
  for (const path of ["../public-secret.txt", "../outside/secret.txt", "docs/../../outside/secret.txt", "/etc/passwd", join(tree.outside, "secret.txt"),
    "..\\outside\\secret.txt", "link-out.txt", "dir-out/secret.txt", "nope.txt", ".env", "docs/.hidden", "./hello.txt"]) {
    assert.equal(await refused(safePath(tree.public, path)), 404, path);
  }
  assert.equal(await refused(safePath(tree.public, "hello.txt\0.png")), 400);
  assert.equal(await safePath(tree.public, "link-out.txt", { followSymlinks: true }), join(tree.public, "link-out.txt"));
  assert.equal(await safePath(tree.public, ".env", { dotfiles: true }), join(tree.public, ".env"));
});
