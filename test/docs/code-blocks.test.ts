// Docs are tested: every TypeScript block in the README, docs/ and src/*/README.md names its
// file on its first line (`// path/to/file.ts...`) and is that file, byte for byte, and no
// other block holds code. The files themselves are run by the tests next to this one (and
// test/examples/), so no example can rot.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("../../", import.meta.url).pathname;
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ...readdirSync(join(root, "src"), { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, "src", d.name, "README.md"))).map((d) => `src/${d.name}/README.md`),
];

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
    // Code in a block of another language would escape that check: those hold shell commands,
    // JSON, diagrams and output, never TypeScript.
    for (const { lang, body } of fences(text)) {
      if (lang === "ts" || lang === "sh" || lang === "json") continue;
      assert.doesNotMatch(body, /^\s*(?:import|export|const|let|await|app\.\w+\()/m, `${page}: code in a \`\`\`${lang} block, not a \`\`\`ts one naming its file:\n${body.slice(0, 200)}`);
    }
  });
}

/** The fenced blocks of a page, each with its language ("" for none). */
function fences(text: string): { lang: string; body: string }[] {
  const found: { lang: string; body: string }[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (open === undefined) {
      if (fence) open = { lang: fence[1]!, lines: [] };
    } else if (fence && fence[1] === "") {
      found.push({ lang: open.lang, body: open.lines.join("\n") });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  return found;
}

test("docs/README.md lists every page of docs/", () => {
  const index = readFileSync(join(root, "docs/README.md"), "utf8");
  const unlisted = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md") && f !== "README.md" && !index.includes(`](${f})`));
  assert.deepEqual(unlisted, []);
});

test("the README has the two commands: one runs the seed example, one runs every test", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.match(readme, /npm install && npm start/);
  assert.match(readme, /npm test/);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.match(pkg.scripts.start, /examples\/seed\/main\.ts/);
  assert.match(readFileSync(join(root, ".ci/run"), "utf8"), /^npm test$/m);
});
