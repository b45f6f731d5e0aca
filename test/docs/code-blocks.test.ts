// Docs are tested: every TypeScript block in the README and docs/ names its file on its first
// line (`// path/to/file.ts...`) and is that file, byte for byte. The files themselves are
// run by the tests next to this one, so no example can rot.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("../../", import.meta.url).pathname;
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

for (const page of pages) {
  test(`${page}: every ts block is a real file`, () => {
    const text = readFileSync(join(root, page), "utf8");
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    for (const block of blocks) {
      const named = /^\/\/ ([\w./-]+\.ts)\b/.exec(block);
      assert.ok(named, `${page}: a ts block does not name its file on its first line:\n${block.slice(0, 200)}`);
      const file = readFileSync(join(root, named[1]!), "utf8");
      assert.equal(block, file, `${page}: the block for ${named[1]} differs from the file`);
    }
  });
}

test("the README has the two commands: one runs the seed example, one runs every test", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.match(readme, /npm install && npm start/);
  assert.match(readme, /npm test/);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.match(pkg.scripts.start, /examples\/seed\/main\.ts/);
  assert.match(readFileSync(join(root, ".ci/run"), "utf8"), /^npm test$/m);
});
