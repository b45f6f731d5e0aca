// The consumer matrix, hosts: the installed package (never spry's sources) run by a consumer on
// Node 22, 24 and 26 (plain `node server.js`, `node --test`, `spry run main.ts` and `spry dev
// main.ts` without tsx), and on Bun and Deno through app.runWith. Missing binaries fail in CI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { caseDirectory, installedConsumer, type Consumer } from "../support/consumer.ts";
import { HostProcess, hostBinary, required, skipUnless, type HostName } from "../support/hosts.ts";

const RUNTIME_FILES = ["app.js", "server.js", "app.test.js", "main.ts"];
const SPRY_RUNNING = /spry running on (http:\/\/\S+) /;

/** The last url `spry run` announced: `spry dev` announces a new one after each restart. */
function lastUrl(output: string): string | undefined {
  return [...output.matchAll(new RegExp(SPRY_RUNNING, "g"))].at(-1)?.[1];
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  assert.equal(response.headers.get("content-type"), "application/json");
  return { status: response.status, body: await response.json() };
}

/** What every served consumer app answers: a converted input, FastAPI's 422, and the lifespan's state. */
async function assertServes(origin: string, output: () => string): Promise<void> {
  assert.deepEqual(await getJson(`${origin}/items/5?q=x`), { status: 200, body: { item_id: 5, q: "x" } }, output());
  const invalid = await getJson(`${origin}/items/five`);
  assert.equal(invalid.status, 422);
  assert.deepEqual((invalid.body as { detail: { loc: string[] }[] }).detail[0]!.loc, ["path", "item_id"]);
  assert.deepEqual(await getJson(`${origin}/greeting`), { status: 200, body: { greeting: "hello" } });
}

function spryBin(consumer: Consumer): string {
  return join(consumer.project, "node_modules/spry/bin/spry.mjs");
}

/** That the package came from the tarball, not a link back to this repository. */
function assertInstalledCopy(consumer: Consumer): void {
  const installed = realpathSync(join(consumer.project, "node_modules/spry"));
  assert.ok(installed.startsWith(realpathSync(consumer.project)), installed);
  assert.equal(existsSync(join(installed, "src")), false, "the tarball ships no src/");
  assert.equal(existsSync(join(consumer.project, "node_modules/tsx")), false, "tsx must not be installed in the consumer");
}

describe("the installed package on Node 22, 24 and 26", { concurrency: true }, () => {
  for (const major of [22, 24, 26]) {
    const binary = hostBinary(`node${major}` as HostName);

    test(`Node ${major}: node server.js, node --test, spry run main.ts, spry dev main.ts`, { skip: skipUnless(binary) }, async (t) => {
      const node = required(binary);
      const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
      assert.match(version, new RegExp(`^v${major}\\.`));
      const consumer = await installedConsumer();
      assertInstalledCopy(consumer);
      const dir = caseDirectory(consumer, `node${major}`, RUNTIME_FILES);
      // So that anything spry starts (a dev-mode child, a cluster worker) runs on the same Node.
      const env = { PATH: `${join(node, "..")}:${process.env.PATH}`, PORT: "0", NODE_OPTIONS: "" };

      await t.test("node server.js: plain JavaScript, no flags", async () => {
        const served = HostProcess.start(node, ["server.js"], { cwd: dir, env });
        try {
          await assertServes(await served.origin(), () => served.output);
          served.child.kill("SIGTERM");
          assert.equal((await served.exited()).code, 0, served.output);
        } finally {
          served.kill();
        }
      });

      await t.test("node --test: spry's TestClient", () => {
        // Without NODE_TEST_CONTEXT, which would make it report to this test runner instead of printing.
        const { NODE_TEST_CONTEXT: _, ...outside } = process.env;
        const run = spawnSync(node, ["--test", "--test-reporter=tap", "app.test.js"], { cwd: dir, env: { ...outside, ...env }, encoding: "utf8" });
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /^# pass 2$/m);
        assert.match(run.stdout, /^# fail 0$/m);
      });

      await t.test("spry run main.ts: Node's own type stripping, without tsx", async () => {
        const served = HostProcess.start(node, [spryBin(consumer), "run", "main.ts", "--port", "0"], { cwd: dir, env });
        try {
          await served.waitFor(SPRY_RUNNING);
          const origin = lastUrl(served.output)!;
          assert.deepEqual(await getJson(`${origin}/items/3`), { status: 200, body: { item_id: 3 } }, served.output);
          assert.deepEqual(await getJson(`${origin}/greeting`), { status: 200, body: { message: "first version" } });
          served.child.kill("SIGTERM");
          assert.equal((await served.exited()).code, 0, served.output);
        } finally {
          served.kill();
        }
      });

      await t.test("spry dev main.ts: an edit restarts the app", async () => {
        const served = HostProcess.start(node, [spryBin(consumer), "dev", "main.ts", "--port", "0"], { cwd: dir, env });
        try {
          await served.waitFor(SPRY_RUNNING);
          const before = lastUrl(served.output)!;
          assert.deepEqual(await getJson(`${before}/greeting`), { status: 200, body: { message: "first version" } });
          const main = join(dir, "main.ts");
          writeFileSync(main, readFileSync(main, "utf8").replace("first version", "second version"));
          await served.waitFor(/main\.ts changed, restarting[\s\S]*spry running on/);
          assert.deepEqual(await getJson(`${lastUrl(served.output)!}/greeting`), { status: 200, body: { message: "second version" } }, served.output);
          served.child.kill("SIGTERM");
          await served.exited();
        } finally {
          served.kill();
        }
      });
    });
  }
});

const HOSTS: Record<"bun" | "deno", (file: string) => string[]> = {
  bun: (file) => [file],
  deno: (file) => ["run", "--allow-net", "--allow-env", "--allow-read", `--allow-write=${tmpdir()}`, file],
};

describe("the installed package on Bun and Deno", { concurrency: true }, () => {
  for (const host of ["bun", "deno"] as const) {
    const binary = hostBinary(host);

    test(`${host}: app.runWith serves the consumer's app from the installed package and stops on SIGTERM`, { skip: skipUnless(binary) }, async () => {
      const consumer = await installedConsumer();
      const dir = caseDirectory(consumer, host, ["app.js", `${host}.ts`]);
      const served = HostProcess.start(required(binary), HOSTS[host](`${host}.ts`), { cwd: dir, env: { NODE_OPTIONS: "" } });
      try {
        const origin = await served.origin();
        await assertServes(origin, () => served.output);
        const docs = await fetch(`${origin}/docs`);
        assert.equal(docs.status, 200);
        assert.match(await docs.text(), /swagger-ui/);
        served.child.kill("SIGTERM");
        assert.equal((await served.exited()).code, 0, served.output);
        assert.doesNotMatch(served.output, /NotCapable|Requires \w+ access/);
      } finally {
        served.kill();
      }
    });
  }

  test("deno check: the consumer's typed code against the installed declarations, under Deno's checker", { skip: skipUnless(hostBinary("deno")) }, async () => {
    const consumer = await installedConsumer();
    const dir = caseDirectory(consumer, "deno-check", ["types.ts"]);
    const checked = spawnSync(required(hostBinary("deno")), ["check", "types.ts"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", NODE_OPTIONS: "" }, encoding: "utf8" });
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
  });
});
