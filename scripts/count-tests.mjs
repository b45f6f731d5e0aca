// Counts the tests of a run honestly, from the TAP that Node's test runner writes when its
// output is not a terminal (`npm test > run.log`):
//
//   node scripts/count-tests.mjs run.log
//
// A test inside a suite named "... [node]" or "... [fetch]" (test/support/transports.ts) is one
// test run once per entry point, so it is counted once among the distinct tests. The runner's
// own "# tests" line counts both runs.
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (file === undefined) {
  console.error("usage: node scripts/count-tests.mjs <TAP log of npm test>");
  process.exit(2);
}
const lines = readFileSync(file, "utf8").split("\n");

const RESULT = /^( *)(?:not )?ok \d+ - (.*)$/;
const TRANSPORT = / \[(node|fetch)\]$/;
// Results come in TAP's order, children before the suite that holds them: a suite's result
// lifts the tests above it, deeper than itself, to its own level, tagging them with its
// transport.
const tests = []; // { indent, name, transport }
for (let i = 0; i < lines.length; i++) {
  const match = RESULT.exec(lines[i]);
  if (match === null) continue;
  const indent = match[1].length;
  const name = match[2];
  let suite = false;
  for (let j = i + 1; j < lines.length && !RESULT.test(lines[j]) && !/^ *# Subtest:/.test(lines[j]); j++) {
    if (/^ *type: 'suite'$/.test(lines[j])) suite = true;
  }
  if (!suite) {
    tests.push({ indent, name, transport: undefined });
    continue;
  }
  const transport = TRANSPORT.exec(name)?.[1];
  for (const test of tests) {
    if (test.indent <= indent) continue;
    test.indent = indent;
    test.transport ??= transport;
  }
}

const perTransport = tests.filter((t) => t.transport !== undefined);
const node = perTransport.filter((t) => t.transport === "node").length;
const fetch = perTransport.filter((t) => t.transport === "fetch").length;
const summary = {
  runs: tests.length,
  distinct: tests.length - Math.min(node, fetch),
  oncePerTransport: Math.min(node, fetch),
  once: tests.length - node - fetch,
};
console.log(JSON.stringify(summary));
if (node !== fetch) console.error(`warning: ${node} tests ran on node, ${fetch} on fetch`);
