// The catalog of promises is the project's own page, docs/reliability.md: every comment and doc
// that cites a row cites that page, and every row it cites exists there.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("../../", import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : files(path);
    return /\.(ts|mts|mjs|md)$/.test(entry.name) ? [path] : [];
  });
}

const catalog = readFileSync(join(root, "docs/reliability.md"), "utf8");
const rows = new Set([...catalog.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1])));

test("docs/reliability.md numbers its rows 1 to 46 without a gap", () => {
  assert.deepEqual([...rows], Array.from({ length: 46 }, (_, i) => i + 1));
});

test("every citation of a row names docs/reliability.md and a row that exists", () => {
  const sources = ["README.md", ...files("src"), ...files("test").filter((f) => f !== "test/docs/reliability.test.ts"), ...files("docs"), ...files("bench").filter((f) => !f.startsWith("bench/results"))];
  for (const file of sources) {
    const text = readFileSync(join(root, file), "utf8");
    assert.doesNotMatch(text, /shared\/RELIABILITY|\bRELIABILITY(\.md)?\b/, `${file} cites a catalog outside the project`);
    for (const match of text.matchAll(/reliability\.md\)? rows? (\d+)(?: and (\d+))?/g)) {
      for (const n of [match[1], match[2]]) {
        if (n !== undefined) assert.ok(rows.has(Number(n)), `${file} cites docs/reliability.md row ${n}, which does not exist`);
      }
    }
  }
});
