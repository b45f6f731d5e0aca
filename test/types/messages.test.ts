// The type errors a user reads: test/types/messages/ holds code that must fail to type-check,
// each statement under a `// error:` comment giving text its error must contain. The compiler
// runs over that directory alone (the repository's own check excludes it), and every error
// must be one of those expected: a statement that starts to compile, or an error that stops
// naming the wrong field, fails this test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = "test/types/messages/fixture.ts";

/** The expected text for each line of the fixture (1-based) that must have an error. */
function expectations(): Map<number, string> {
  const lines = readFileSync(new URL(`../../${fixture}`, import.meta.url), "utf8").split("\n");
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const match = /^\s*\/\/ error: (.+)$/.exec(line);
    if (match !== null) expected.set(i + 2, match[1]!);
  });
  return expected;
}

/** The compiler's errors by line: the first line of each and its indented continuation. */
function errors(output: string): Map<number, string> {
  const found = new Map<number, string>();
  let current: number | undefined;
  for (const line of output.split("\n")) {
    const head = /^(.+?)\((\d+),\d+\): error TS\d+: (.*)$/.exec(line);
    if (head !== null) {
      assert.equal(head[1], fixture, `an error outside the fixture: ${line}`);
      current = Number(head[2]);
      found.set(current, (found.get(current) ?? "") + head[3] + "\n");
    } else if (current !== undefined && line.startsWith(" ")) {
      found.set(current, found.get(current) + line.trim() + "\n");
    }
  }
  return found;
}

test("a handler missing its response model, and a wrong override, are reported at the field", () => {
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "--pretty", "false", "-p", "test/types/messages"], { cwd: root, encoding: "utf8" });
  assert.notEqual(result.status, 0, "the fixture must not compile");
  const expected = expectations();
  const found = errors(result.stdout + result.stderr);
  assert.ok(expected.size >= 7);
  for (const [line, text] of expected) {
    const error = found.get(line);
    assert.ok(error !== undefined, `${fixture}:${line} compiled; expected an error containing "${text}"`);
    assert.ok(error.includes(text), `${fixture}:${line}: expected "${text}" in:\n${error}`);
    // The error is about the handler's return, never the misleading "not assignable to 'Inputs'".
    assert.doesNotMatch(error, /parameter of type 'Inputs'/);
  }
  assert.deepEqual([...found.keys()].filter((line) => !expected.has(line)), [], "errors on lines that expect none");
});
