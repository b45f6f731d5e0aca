// The symbolic-link guard remembers the files it has let through (src/toolkit/files/root-guard.ts):
// these check that what it remembers never outlives the file. A file, or a directory above it,
// served once and then swapped for a link that points outside the root is refused at once, on
// both entry points, and the memory stays bounded however many files are asked for.
import assert from "node:assert/strict";
import { mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Spry } from "spry";
import { staticFiles } from "spry/files";
import { MAX_CHECKED_FILES, RootGuard } from "../../src/toolkit/files/root-guard.ts";
import { makeFileTree, SECRET } from "../support/files.ts";
import { forEachTransport } from "../support/transports.ts";

const tree = makeFileTree();
after(() => tree.remove());

forEachTransport("the symlink guard after a swap", (connect, transport) => {
  const app = new Spry({ logger: false });
  app.mount("/static", staticFiles({ directory: tree.public }));
  const client = connect(app);
  const dir = join(tree.public, `swap-${transport}`);

  test("a file served, then replaced by a link to a file outside: 404, not the secret", async () => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "file.txt");
    writeFileSync(file, "inside");
    for (let i = 0; i < 3; i++) assert.equal(await (await client.get(`/static/swap-${transport}/file.txt`)).text(), "inside");
    rmSync(file);
    symlinkSync(join(tree.outside, "secret.txt"), file);
    const res = await client.get(`/static/swap-${transport}/file.txt`);
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes(SECRET));
  });

  test("a directory served, then replaced by a link to a directory outside: 404, not the secret", async () => {
    const sub = join(dir, "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "secret.txt"), "inside too");
    assert.equal(await (await client.get(`/static/swap-${transport}/sub/secret.txt`)).text(), "inside too");
    renameSync(sub, join(dir, "sub-moved"));
    symlinkSync(tree.outside, sub);
    const res = await client.get(`/static/swap-${transport}/sub/secret.txt`);
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes(SECRET));
  });

  test("a link replaced by the file it pointed to is served again", async () => {
    const file = join(dir, "back.txt");
    symlinkSync(join(tree.outside, "secret.txt"), file);
    assert.equal((await client.get(`/static/swap-${transport}/back.txt`)).status, 404);
    rmSync(file);
    writeFileSync(file, "a real file now");
    assert.equal(await (await client.get(`/static/swap-${transport}/back.txt`)).text(), "a real file now");
  });
});

test("the guard remembers at most MAX_CHECKED_FILES paths, and still checks every one", async () => {
  const many = join(tree.public, "many");
  mkdirSync(many);
  const guard = new RootGuard(tree.public);
  for (let i = 0; i < MAX_CHECKED_FILES + 50; i++) {
    const file = join(many, `${i}.txt`);
    writeFileSync(file, String(i));
    await guard.check(file, statSync(file));
  }
  assert.equal(guard.size, MAX_CHECKED_FILES);
  const out = join(tree.public, "link-out.txt");
  await assert.rejects(async () => guard.check(out, statSync(out)), { name: "FileRefused" });
  // The newest path is remembered; made a link to the outside, it stats as another file and is
  // checked again, and refused.
  const newest = join(many, `${MAX_CHECKED_FILES + 49}.txt`);
  rmSync(newest);
  symlinkSync(join(tree.outside, "secret.txt"), newest);
  await assert.rejects(async () => guard.check(newest, statSync(newest)), { name: "FileRefused" });
});
