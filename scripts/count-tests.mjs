// Counts the tests of a run honestly, from what Node's test runner printed, as TAP or as its
// default "spec" output:
//
//   npm test > run.log; node scripts/count-tests.mjs run.log
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

const TRANSPORT = / \[(node|fetch)\]$/;
const tests = lines.some((line) => line.startsWith("TAP version")) ? fromTap(lines) : fromSpec(lines);

// TAP gives children before the suite that holds them: a suite's result lifts the tests above
// it, deeper than itself, to its own level, tagging them with its transport.
function fromTap(lines) {
  const RESULT = /^( *)(?:not )?ok \d+ - (.*)$/;
  const tests = []; // { indent, name, transport }
  for (let i = 0; i < lines.length; i++) {
    const match = RESULT.exec(lines[i]);
    if (match === null) continue;
    const indent = match[1].length;
    let suite = false;
    for (let j = i + 1; j < lines.length && !RESULT.test(lines[j]) && !/^ *# Subtest:/.test(lines[j]); j++) {
      if (/^ *type: 'suite'$/.test(lines[j])) suite = true;
    }
    if (!suite) {
      tests.push({ indent, name: match[2], transport: undefined });
      continue;
    }
    const transport = TRANSPORT.exec(match[2])?.[1];
    for (const test of tests) {
      if (test.indent <= indent) continue;
      test.indent = indent;
      test.transport ??= transport;
    }
  }
  return tests;
}

// The spec output opens a suite with "▶ name" and closes it with "✔ name" (or ✖) at the same
// indentation; any other result line is a test. Its summary repeats the failures: it ends there.
function fromSpec(lines) {
  const tests = [];
  const open = []; // { indent, name }
  for (const line of lines) {
    if (line.startsWith("ℹ tests ")) break;
    const match = /^( *)(▶|✔|✖|﹣|⚠) (.*?)(?: \([\d.]+m?s\))?$/.exec(line);
    if (match === null) continue;
    const [, spaces, mark, name] = match;
    const indent = spaces.length;
    if (mark === "▶") {
      open.push({ indent, name });
      continue;
    }
    const top = open.at(-1);
    if (top !== undefined && top.indent === indent && top.name === name) {
      open.pop();
      continue;
    }
    const transport = [...open].reverse().map((s) => TRANSPORT.exec(s.name)?.[1]).find((t) => t !== undefined);
    tests.push({ name, transport });
  }
  return tests;
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
