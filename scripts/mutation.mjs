// Mutation testing of the conversion layer (npm run mutation): StrykerJS changes one thing in
// a source file at a time (a `<` into `<=`, a string into "", a branch removed) and runs the
// tests that cover that file; a change no test notices survives, and names a behaviour that
// nothing checks. Each file runs with its own, narrow test files, one mutant at a time
// (concurrency 1: it is meant to share a machine), so a full run takes a while: it is not
// part of CI. Pass target names (coerce, json-convert, ...) to run only those.
//
//   nice -n 15 npm run mutation            # every target, scores in reports/mutation/summary.json
//   nice -n 15 npm run mutation -- cors     # one target
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Stryker } from "@stryker-mutator/core";

const root = new URL("..", import.meta.url).pathname;

/** Each source file, and the test files that must notice every change to it. */
export const TARGETS = {
  coerce: { mutate: "src/framework/inputs/coerce.ts", tests: ["test/framework/coerce.test.ts"] },
  "json-convert": { mutate: "src/framework/body/json-convert.ts", tests: ["test/framework/json-convert.test.ts"] },
  "validation-error": { mutate: "src/framework/validation-error.ts", tests: ["test/framework/validation-error.test.ts"] },
  "format-errors": { mutate: "src/framework/format-errors.ts", tests: ["test/framework/validation-error.test.ts"] },
  json: { mutate: "src/framework/body/json.ts", tests: ["test/framework/json-parse.test.ts"] },
  "header-check": { mutate: "src/toolkit/header-check.ts", tests: ["test/toolkit/header-check.test.ts"] },
  cors: { mutate: "src/toolkit/middleware/cors.ts", tests: ["test/toolkit/middleware/cors.test.ts"] },
};

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in TARGETS));
if (unknown.length > 0) {
  console.error(`Unknown target ${unknown.join(", ")}; targets: ${Object.keys(TARGETS).join(", ")}`);
  process.exit(2);
}

const reports = join(root, "reports/mutation");
mkdirSync(reports, { recursive: true });
const summaryFile = join(reports, "summary.json");
// A run of some targets keeps the others' last scores.
const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, "utf8")) : {};
for (const [name, { mutate, tests }] of Object.entries(TARGETS)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const stryker = new Stryker({
    testRunner: "command",
    // Node's test runner on spry's sources (scripts/test.mjs without the build and the type
    // check: a mutant is not meant to type-check), in one process: no child per test file.
    commandRunner: { command: `"${process.execPath}" --conditions=spry-source --test --test-isolation=none --test-reporter=dot ${tests.join(" ")}` },
    mutate: [mutate],
    concurrency: 1,
    coverageAnalysis: "off",
    reporters: ["progress-append-only", "clear-text", "json"],
    jsonReporter: { fileName: join(reports, `${name}.json`) },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    ignorePatterns: ["bench", "reports", ".stryker-tmp", "*.log"],
    tempDirName: ".stryker-tmp",
    // Stryker rewrites tsconfig.json's references through TypeScript's JS API, which
    // TypeScript 7 no longer has; the tests need no tsconfig, so it is left out of sight.
    tsconfigFile: "none.tsconfig.json",
    cleanTempDir: "always",
    timeoutMS: 10_000,
    logLevel: "warn",
  });
  const results = await stryker.runMutationTest();
  const count = (status) => results.filter((r) => r.status === status).length;
  const killed = count("Killed") + count("Timeout");
  const survived = results.filter((r) => r.status === "Survived" || r.status === "NoCoverage");
  // A mutant marked `Stryker disable` (argued equivalent where it is marked) is not run: the
  // score leaves it out, the raw score counts it as a survivor.
  const ignored = count("Ignored");
  const percent = (part, whole) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
  summary[name] = {
    file: mutate,
    tests,
    mutants: results.length,
    killed,
    survived: survived.length,
    ignored,
    errors: count("CompileError") + count("RuntimeError"),
    score: percent(killed, killed + survived.length),
    rawScore: percent(killed, killed + survived.length + ignored),
    survivors: survived.map((r) => `${r.location.start.line}:${r.location.start.column} ${r.mutatorName}: ${r.replacement ?? ""}`.slice(0, 200)),
  };
  console.log(`${name}: ${summary[name].score}%, raw ${summary[name].rawScore}% (${killed} killed, ${survived.length} survived, ${ignored} marked equivalent, ${results.length} mutants)`);
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
}
