// The consumer matrix, compilers: the installed package's declaration files, with the consumer's
// own code (test/package/consumer/types.ts: the handler types spry infers, and an undeclared
// input refused), type-check with 0 errors under TypeScript 7 and 5.9 in the configurations
// users have, none of which may reach spry's internals.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { COMPILERS, REPO, caseDirectory, installedConsumer, installedVersion, tscOf, type Consumer } from "../support/consumer.ts";

/** Each configuration: the tsconfig.json the case writes (undefined: `tsc --init`'s own). */
const CONFIGURATIONS: Record<string, object | undefined> = {
  "tsc --init's defaults": undefined,
  "module nodenext": { compilerOptions: { module: "nodenext", strict: true, types: ["node"], skipLibCheck: false, noEmit: true } },
  "module preserve, moduleResolution bundler": {
    compilerOptions: { module: "preserve", moduleResolution: "bundler", target: "es2022", strict: true, types: ["node"], skipLibCheck: false, noEmit: true },
  },
  "@tsconfig/strictest, skipLibCheck false": {
    extends: "@tsconfig/strictest/tsconfig.json",
    compilerOptions: { module: "nodenext", target: "es2022", types: ["node"], skipLibCheck: false, noEmit: true },
  },
  "lib without DOM": { compilerOptions: { module: "nodenext", lib: ["es2023"], strict: true, types: ["node"], skipLibCheck: false, noEmit: true } },
};

const FILES = ["types.ts", "main.ts"];

function tsc(consumer: Consumer, alias: string, args: readonly string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tscOf(consumer, alias as never), ...args], { cwd, encoding: "utf8" });
  return { status: result.status, output: result.stdout + result.stderr };
}

test("npm pack: the tarball holds the build, the command, the license and the README, and nothing else", async (t) => {
  const consumer = await installedConsumer();
  t.diagnostic(consumer.built ? `packed and installed in ${consumer.setupMs} ms` : `a previous run's install reused (${consumer.setupMs} ms)`);
  const entries = execFileSync("tar", ["-tzf", consumer.tarball], { encoding: "utf8" }).trim().split("\n");
  const outside = entries.filter((entry) => !/^package\/(dist\/|bin\/|LICENSE$|README\.md$|package\.json$)/.test(entry));
  assert.deepEqual(outside, []);
  for (const file of ["dist/index.js", "dist/index.d.ts", "dist/server/index.d.ts", "dist/toolkit/test-client.d.ts", "bin/spry.mjs"]) {
    assert.ok(entries.includes(`package/${file}`), `${file} is in the tarball`);
  }
  assert.deepEqual(entries.filter((entry) => /\.ts$/.test(entry) && !/\.d\.[cm]?ts$/.test(entry)), [], "no TypeScript sources ship");
  const manifest = JSON.parse(readFileSync(join(consumer.project, "node_modules/spry/package.json"), "utf8")) as { scripts?: Record<string, string> };
  assert.deepEqual(Object.keys(manifest.scripts ?? {}).filter((name) => /^(pre|post)?install$/.test(name)), [], "spry runs nothing at install");
});

// Two at a time: each tsc is mostly one core's work, and the machine has two.
describe("the installed package's declarations in a consumer's compiler", { concurrency: 2 }, () => {
  for (const [compiler, alias] of Object.entries(COMPILERS)) {
    for (const [configuration, tsconfig] of Object.entries(CONFIGURATIONS)) {
      test(`${compiler}, ${configuration}: tsc --noEmit, 0 errors`, async () => {
        const consumer = await installedConsumer();
        const dir = caseDirectory(consumer, `${alias}-${configuration}`, FILES);
        if (tsconfig === undefined) {
          const init = tsc(consumer, alias, ["--init"], dir);
          assert.equal(init.status, 0, init.output);
          // --init's file lists no inputs: every .ts file of the directory is the program.
          const generated = readFileSync(join(dir, "tsconfig.json"), "utf8");
          assert.doesNotMatch(generated, /"files"|"include"/);
        } else {
          writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...tsconfig, files: FILES }, null, 2));
        }
        const checked = tsc(consumer, alias, ["--noEmit", "-p", "."], dir);
        assert.equal(checked.status, 0, `${compiler} ${installedVersion(consumer.tools, alias)}, @types/node ${installedVersion(consumer.project, "@types/node")}:\n${checked.output}`);
        assert.equal(checked.output, "");
      });
    }

    test(`${compiler}: the fixture's checks can fail: an undeclared input, and a wrong inferred type`, async () => {
      const consumer = await installedConsumer();
      const dir = caseDirectory(consumer, `${alias}-can-fail`, ["types.ts"]);
      const source = readFileSync(join(dir, "types.ts"), "utf8");
      const broken = source
        .replace("// @ts-expect-error: `name` is not a declared input\n", "")
        .replace("Equal<typeof q, string | null>", "Equal<typeof q, string>");
      assert.notEqual(broken, source);
      writeFileSync(join(dir, "types.ts"), broken);
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...CONFIGURATIONS["module nodenext"], files: ["types.ts"] }));
      const checked = tsc(consumer, alias, ["--noEmit", "-p", "."], dir);
      assert.notEqual(checked.status, 0);
      assert.match(checked.output, /types\.ts\(\d+,\d+\): error TS2339: Property 'name' does not exist/);
      assert.match(checked.output, /types\.ts\(\d+,\d+\): error TS2344: Type 'false' does not satisfy the constraint 'true'/);
    });
  }
});

test("every subpath spry exports loads from the installed package, with its declarations", async () => {
  const consumer = await installedConsumer();
  const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { exports: Record<string, string | Record<string, string>> };
  const entries = Object.keys(manifest.exports).filter((entry) => entry !== "./package.json");
  assert.ok(entries.includes("./toolkit") && entries.includes("./files"), entries.join(", "));
  for (const entry of entries) {
    const specifier = entry === "." ? "spry" : `spry/${entry.slice(2)}`;
    const target = manifest.exports[entry] as Record<string, string>;
    assert.ok(existsSync(join(consumer.project, "node_modules/spry", target.types!)), `${specifier}'s declarations ship`);
    // Imported by the consumer's own Node, from the consumer's directory, with no source condition.
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) throw new Error("no exports");`], { cwd: consumer.project, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    assert.equal(run.status, 0, `${specifier}: ${run.stderr}`);
  }
});
