// staticFiles() keeps small files' bytes in memory (src/toolkit/files/file-cache.ts): these check
// that what it keeps is never served once the file has changed, been removed, or been swapped
// for a link out of the root; that it stays within its byte bound; that a file that cannot be
// read is an error answered as one, before the status line; and that only regular files are
// served (a FIFO used to hold the request, and a thread of libuv's pool, until a writer came). A file is only kept once its change time is SETTLE_MS
// old, so the files kept here are written first and the tests wait for them to settle.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { HTTPException, Spry } from "spry";
import { staticFiles } from "spry/files";
import { FileCache, SETTLE_MS } from "../../src/toolkit/files/file-cache.ts";
import { prepareSend, sendFile, type Sent } from "../../src/toolkit/files/send-file.ts";
import { makeFileTree, SECRET } from "../support/files.ts";
import { recordingLogger } from "../support/logger.ts";
import { TRANSPORTS } from "../support/transports.ts";
import { TestClient } from "spry/testing";

const tree = makeFileTree();
const root = tree.public;
const kept = (name: string, bytes: string | Buffer) => writeFileSync(join(root, name), bytes);
kept("same-size.txt", "version one");
kept("deleted.txt", "about to go");
for (const name of ["a", "b", "c", "d"]) kept(`${name}.txt`, name.repeat(1000));
kept("too-big.txt", "e".repeat(1001));
kept("head.txt", "for HEAD");
mkdirSync(join(root, "swap"));
for (const transport of TRANSPORTS) {
  kept(`swap-file-${transport}.txt`, "inside");
  mkdirSync(join(root, "swap", transport));
  writeFileSync(join(root, "swap", transport, "secret.txt"), "inside too");
  kept(`conditional-${transport}.txt`, "0123456789");
}
const written = Date.now();
kept("vanishing.txt", "gone before it is opened");
kept("vanishing-big.bin", Buffer.alloc(100 * 1024, 1));
kept("becomes-a-directory.txt", "a directory when opened");
// Neither is a regular file: a socket cannot be opened, a FIFO's open waits for a writer.
const socketPath = join(root, "socket.txt");
execFileSync("mkfifo", [join(root, "fifo.txt")]);
let socket: Server;

before(async () => {
  socket = createServer();
  await new Promise<void>((resolve) => socket.listen(socketPath, resolve));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, written + SETTLE_MS + 100 - Date.now())));
});
after(async () => {
  await new Promise((resolve) => socket.close(resolve));
  tree.remove();
});

const GET = { method: "GET", header: () => undefined };
const HEAD = { method: "HEAD", header: () => undefined };
const prepared = (cache: FileCache) => prepareSend(root, { dotfiles: "ignore", index: false }, cache);

async function send(cache: FileCache, path: string, request = GET): Promise<Sent & { type: "file" }> {
  const sent = await sendFile(request, path, prepared(cache));
  assert.equal(sent.type, "file");
  return sent as Sent & { type: "file" };
}

const text = (sent: Sent & { type: "file" }) => {
  assert.ok(sent.body instanceof Uint8Array, "the bytes themselves");
  return Buffer.from(sent.body).toString();
};

test("a small settled file is read once, then served from memory while it is unchanged", async () => {
  const cache = new FileCache();
  const first = await send(cache, "/a.txt");
  assert.equal(text(first), "a".repeat(1000));
  assert.equal(cache.files, 1);
  assert.equal(cache.size, 1000);
  const second = await send(cache, "/a.txt");
  const third = await send(cache, "/a.txt");
  assert.equal(second.body, first.body, "the very bytes kept, not read again");
  assert.equal(third.body, first.body);
  assert.deepEqual(second.headers, first.headers);
  assert.equal(second.headers["content-length"], 1000);
  assert.match(String(second.headers.etag), /^W\/"/);
  // Each answer has headers of its own: middleware may change them.
  second.headers["x-changed"] = "yes";
  assert.equal(third.headers["x-changed"], undefined);
  assert.equal((await send(cache, "/a.txt")).headers["x-changed"], undefined);
});

test("a file written just now is served but not kept", async () => {
  const cache = new FileCache();
  kept("fresh.txt", "brand new");
  assert.equal(text(await send(cache, "/fresh.txt")), "brand new");
  assert.equal(cache.files, 0);
  // Rewritten at once with the same size: its stat may well be the same, its bytes are not.
  kept("fresh.txt", "BRAND NEW");
  assert.equal(text(await send(cache, "/fresh.txt")), "BRAND NEW");
});

test("a kept file changed in place, same size, at once: the new bytes", async () => {
  const cache = new FileCache();
  assert.equal(text(await send(cache, "/same-size.txt")), "version one");
  assert.equal(cache.files, 1);
  kept("same-size.txt", "version two");
  assert.equal(text(await send(cache, "/same-size.txt")), "version two");
  // Changed just now: served, and not kept until it settles.
  assert.equal(cache.files, 0);
  assert.equal(text(await send(cache, "/same-size.txt")), "version two");
});

test("a kept file deleted between two requests: 404, and its bytes are let go", async () => {
  const cache = new FileCache();
  assert.equal(text(await send(cache, "/deleted.txt")), "about to go");
  assert.equal(cache.size, 11);
  rmSync(join(root, "deleted.txt"));
  await assert.rejects(send(cache, "/deleted.txt"), (error: unknown) => error instanceof HTTPException && error.status === 404);
  assert.equal(cache.size, 0);
});

test("the cache keeps at most maxSize bytes, the least recently served leaving first, and no file over maxFileSize", async () => {
  const cache = new FileCache({ maxSize: 2500, maxFileSize: 1000 });
  await send(cache, "/a.txt");
  await send(cache, "/b.txt");
  assert.equal(cache.size, 2000);
  // a is served again, so b is now the least recently served, and c pushes it out.
  await send(cache, "/a.txt");
  await send(cache, "/c.txt");
  assert.equal(cache.size, 2000);
  assert.equal(cache.files, 2);
  assert.notEqual(cache.lookup("/a.txt"), undefined);
  assert.equal(cache.lookup("/b.txt"), undefined);
  assert.notEqual(cache.lookup("/c.txt"), undefined);
  const big = await send(cache, "/too-big.txt");
  assert.ok(big.body instanceof ReadableStream, "a file over maxFileSize streams from the disk");
  await big.body.cancel();
  assert.equal(cache.size, 2000);
  // Two spellings of one path share one copy of its bytes.
  await send(cache, "/%64.txt");
  await send(cache, "/d.txt");
  assert.equal(cache.size, 2000);
  assert.notEqual(cache.lookup("/d.txt"), undefined);
  assert.equal(cache.lookup("/d.txt"), cache.lookup("/%64.txt"));
  // A cache of no bytes keeps nothing.
  const none = new FileCache({ maxSize: 0 });
  assert.ok((await send(none, "/a.txt")).body instanceof ReadableStream);
  assert.equal(none.size, 0);
});

test("HEAD of a kept file: the GET's headers, no body", async () => {
  const cache = new FileCache();
  const get = await send(cache, "/head.txt");
  const head = await send(cache, "/head.txt", HEAD);
  assert.equal(head.body, null);
  assert.deepEqual(head.headers, get.headers);
  assert.equal(head.headers["content-length"], 8);
});

test("a file removed between its stat and its open: 404, kept or streamed", async () => {
  const removing = (cache: FileCache | undefined) => prepareSend(root, { index: false, check: (path) => rmSync(path) }, cache);
  const notFound = (error: unknown) => error instanceof HTTPException && error.status === 404;
  await assert.rejects(sendFile(GET, "/vanishing.txt", removing(new FileCache())), notFound);
  await assert.rejects(sendFile(GET, "/vanishing-big.bin", removing(undefined)), notFound);
});

test("a file that cannot be read when it is opened is an error before the status line, not a 200", async () => {
  const cache = new FileCache();
  const swapping = prepareSend(root, { index: false, check: (path) => (rmSync(path), mkdirSync(path)) }, cache);
  await assert.rejects(sendFile(GET, "/becomes-a-directory.txt", swapping), (error: unknown) => !(error instanceof HTTPException) && (error as NodeJS.ErrnoException).code === "EISDIR");
  assert.equal(cache.size, 0);
});

test("the cache's bounds must be whole numbers of bytes", () => {
  assert.throws(() => staticFiles({ directory: root, cache: { maxSize: -1 } }), TypeError);
  assert.throws(() => staticFiles({ directory: root, cache: { maxFileSize: 1.5 } }), TypeError);
});

test("cache: false reads every file from the disk", async () => {
  const files = staticFiles({ directory: root, cache: false });
  const first = await files.respond(GET, "/a.txt", "");
  assert.ok(first.body instanceof ReadableStream);
  await first.body.cancel();
  const on = staticFiles({ directory: root });
  await on.respond(GET, "/a.txt", "").then((response) => assert.ok(response.body instanceof Uint8Array));
  assert.ok((await on.respond(GET, "/a.txt", "")).body instanceof Uint8Array);
});

for (const transport of TRANSPORTS) {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  app.mount("/static", staticFiles({ directory: root }));
  app.mount("/plain", staticFiles({ directory: root, cache: false }));
  const client = new TestClient(app, { transport });

  test(`[${transport}] a kept file swapped for a link to a file outside: 404, not the secret`, async () => {
    const name = `swap-file-${transport}.txt`;
    for (let i = 0; i < 3; i++) assert.equal(await (await client.get(`/static/${name}`)).text(), "inside");
    rmSync(join(root, name));
    symlinkSync(join(tree.outside, "secret.txt"), join(root, name));
    const res = await client.get(`/static/${name}`);
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes(SECRET));
  });

  test(`[${transport}] a kept file whose directory is swapped for a link outside: 404, not the secret`, async () => {
    const dir = join(root, "swap", transport);
    for (let i = 0; i < 3; i++) assert.equal(await (await client.get(`/static/swap/${transport}/secret.txt`)).text(), "inside too");
    renameSync(dir, `${dir}-moved`);
    symlinkSync(tree.outside, dir);
    const res = await client.get(`/static/swap/${transport}/secret.txt`);
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes(SECRET));
  });

  test(`[${transport}] a kept file still answers If-None-Match with 304 and a Range with 206`, async () => {
    const path = `/static/conditional-${transport}.txt`;
    const first = await client.get(path);
    const second = await client.get(path);
    assert.equal(await second.text(), "0123456789");
    const etag = first.headers.get("etag")!;
    assert.equal(second.headers.get("etag"), etag);
    assert.equal(second.headers.get("content-length"), "10");
    assert.equal(second.headers.get("content-type"), "text/plain; charset=utf-8");
    const notModified = await client.get(path, { headers: { "if-none-match": etag } });
    assert.equal(notModified.status, 304);
    const ranged = await client.get(path, { headers: { range: "bytes=2-4" } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), "234");
    assert.equal((await client.get(path, { headers: { range: "bytes=50-" } })).status, 416);
  });

  test(`[${transport}] a socket or a FIFO is not served: 404 at once, and the server serves on`, { timeout: 10_000 }, async () => {
    logger.entries.length = 0;
    for (const mount of ["static", "plain"]) {
      for (const name of ["socket.txt", "fifo.txt"]) {
        const res = await client.get(`/${mount}/${name}`);
        assert.equal(res.status, 404, `/${mount}/${name}`);
        assert.deepEqual(await res.json(), { detail: "Not Found" });
      }
    }
    assert.deepEqual(logger.entries.filter((entry) => entry.level === "error"), []);
    assert.equal(await (await client.get("/static/a.txt")).text(), "a".repeat(1000));
    assert.equal(await (await client.get("/plain/a.txt")).text(), "a".repeat(1000));
  });

  test(`[${transport}] a file its mode makes unreadable: 500, logged, kept or streamed (skipped as root, who reads any file)`, { skip: process.getuid?.() === 0 }, async () => {
    logger.entries.length = 0;
    const name = `unreadable-${transport}.txt`;
    kept(name, "no one may read this");
    chmodSync(join(root, name), 0o000);
    for (const mount of ["static", "plain"]) {
      const res = await client.get(`/${mount}/${name}`);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
    }
    assert.ok(logger.entries.some((entry) => entry.level === "error"));
  });
}
