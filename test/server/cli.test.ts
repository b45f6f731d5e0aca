// `spry run` and the command line, on real processes and real sockets (127.0.0.1 only).
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { createServer, type Server } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { exitWithin, freePort, get, killAll, spry, spryExit, tempProject } from "./spry-process.ts";

const SEED = "examples/seed/main.ts";
const cleanups: (() => void)[] = [];
after(async () => {
  await killAll();
  for (const cleanup of cleanups) cleanup();
});

function project(packageType?: "module"): string {
  const { dir, cleanup } = tempProject(packageType);
  cleanups.push(cleanup);
  return dir;
}

/** A usage or load error: one line on stderr, nothing on stdout, no stack trace. */
function assertOneLineError(result: { stdout: string; stderr: string }, pattern: RegExp): void {
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^spry: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at |node:internal/);
  assert.equal(result.stdout, "");
}

describe("spry run", () => {
  test("serves the seed example on 127.0.0.1 and the port it logs", { timeout: 60_000 }, async () => {
    const server = spry(["run", SEED, "--port", "0"], { env: { SLOW_TASK_SECONDS: "0" } });
    const url = await server.url();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.stdout(), new RegExp(`spry running on ${url.replaceAll(".", "\\.")}`));

    const fast = await get(`${url}/fast_task/`);
    assert.equal(fast.status, 200);
    assert.deepEqual(JSON.parse(fast.body), { message: "This is fast!" });
    const slow = await get(`${url}/slow_task/1?q=x`);
    assert.equal(slow.status, 200);
    assert.deepEqual(JSON.parse(slow.body), { item_id: 1, q: "x" });
  });

  test("takes HOST and PORT from the environment", { timeout: 60_000, skip: process.platform !== "linux" && "needs 127.0.0.2" }, async () => {
    // 127.0.0.2 is a loopback address on Linux that no default could produce: the bind proves HOST was read.
    const port = await freePort();
    const server = spry(["run", SEED], { env: { HOST: "127.0.0.2", PORT: String(port) } });
    assert.equal(await server.url(), `http://127.0.0.2:${port}`);
  });

  test("--host and --port win over HOST and PORT", { timeout: 60_000 }, async () => {
    const envPort = await freePort();
    const flagPort = await freePort();
    const server = spry(["run", SEED, "--host", "127.0.0.1", `--port=${flagPort}`], {
      env: { HOST: "127.0.0.2", PORT: String(envPort) },
    });
    const url = await server.url();
    assert.equal(url, `http://127.0.0.1:${flagPort}`);
    assert.equal((await get(`${url}/fast_task/`)).status, 200);
  });

  for (const variant of [
    { ext: "ts", packageType: undefined, exported: "const" },
    { ext: "ts", packageType: "module", exported: "default" },
    { ext: "js", packageType: "module", exported: "default" },
    { ext: "js", packageType: undefined, exported: "const" },
  ] as const) {
    const where = variant.packageType === undefined ? "a directory without package.json" : 'a "type": "module" package';
    test(`loads a .${variant.ext} file with \`export ${variant.exported} app\` from ${where}`, { timeout: 60_000 }, async () => {
      const dir = project(variant.packageType);
      const answer = `${variant.ext}-${variant.packageType ?? "bare"}-${variant.exported}`;
      const source = [
        'import { Spry } from "spry";',
        `${variant.exported === "const" ? "export " : ""}const app = new Spry();`,
        `app.get("/", () => ({ answer: ${JSON.stringify(answer)} }));`,
        variant.exported === "default" ? "export default app;" : "",
      ].join("\n");
      writeFileSync(join(dir, `main.${variant.ext}`), source);
      // A sibling with the other extension must not be picked instead (tsx maps .js to .ts for TS importers).
      const other = variant.ext === "js" ? "ts" : "js";
      writeFileSync(join(dir, `main.${other}`), 'throw new Error("the wrong file was loaded");\n');

      const server = spry(["run", `main.${variant.ext}`, "--port", "0"], { cwd: dir });
      const response = await get(`${await server.url()}/`);
      assert.deepEqual(JSON.parse(response.body), { answer });
    });
  }

  test("exits 0 promptly on SIGTERM, with an idle keep-alive connection open", { timeout: 60_000 }, async () => {
    const server = spry(["run", SEED, "--port", "0"]);
    const url = await server.url();
    const agent = new Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        request(`${url}/fast_task/`, { agent }, (res) => {
          res.resume().on("end", () => resolve(res.statusCode!));
        })
          .on("error", reject)
          .end();
      });
      assert.equal(status, 200);
      server.proc.kill("SIGTERM");
      // Well under both the keep-alive timeout (5 s) plus slack and the grace period (10 s):
      // shutting down must not wait for the idle connection to time out.
      assert.deepEqual(await exitWithin(server, 8_000), { code: 0, signal: null }, server.stderr());
    } finally {
      agent.destroy();
    }
  });
});

describe("command-line errors", () => {
  test("a bad --port is a usage error", async () => {
    const result = await spryExit(["run", SEED, "--port", "eighty"]);
    assert.equal(result.code, 2);
    assertOneLineError(result, /--port must be a port number.*"eighty"/);
  });

  test("a bad PORT variable is a usage error", async () => {
    const result = await spryExit(["run", SEED], { env: { PORT: "99999" } });
    assert.equal(result.code, 2);
    assertOneLineError(result, /PORT must be a port number.*"99999"/);
  });

  test("an unknown command", async () => {
    const result = await spryExit(["serve", SEED]);
    assert.equal(result.code, 2);
    assertOneLineError(result, /unknown command "serve"/);
  });

  test("an unknown option", async () => {
    const result = await spryExit(["run", SEED, "--reload"]);
    assert.equal(result.code, 2);
    assertOneLineError(result, /^spry: unknown option --reload \(see spry run --help\)$/);
  });

  for (const command of ["run", "dev"]) {
    test(`\`spry ${command}\` without FILE`, async () => {
      const result = await spryExit([command]);
      assert.equal(result.code, 2);
      assertOneLineError(result, /missing FILE/);
    });

    test(`\`spry ${command}\` with a file that does not exist`, async () => {
      const result = await spryExit([command, "no/such/app.ts"]);
      assert.equal(result.code, 1);
      assertOneLineError(result, /no\/such\/app\.ts: no such file/);
    });
  }

  test("`spry dev --watch` with a directory that does not exist", async () => {
    const result = await spryExit(["dev", SEED, "--watch", "no/such/dir"]);
    assert.equal(result.code, 1);
    assertOneLineError(result, /--watch no\/such\/dir: no such directory/);
  });

  test("a file that exports no app", async () => {
    const dir = project("module");
    writeFileSync(join(dir, "main.ts"), "export const answer = 42;\n");
    const result = await spryExit(["run", "main.ts"], { cwd: dir });
    assert.equal(result.code, 1);
    assertOneLineError(result, /main\.ts exports no app/);
  });

  test("a port already in use", { timeout: 60_000 }, async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = blocker.address() as { port: number };
      const result = await spryExit(["run", SEED, "--port", String(port)]);
      assert.equal(result.code, 1);
      assertOneLineError(result, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
    } finally {
      blocker.close();
    }
  });

  test("a syntax error names the file, line and column in one line, without the loader's stack", async () => {
    const dir = project("module");
    writeFileSync(join(dir, "main.ts"), "export default {\n  broken: = 1,\n};\n");
    const result = await spryExit(["run", "main.ts"], { cwd: dir });
    assert.equal(result.code, 1);
    assertOneLineError(result, /^spry: cannot load main\.ts: main\.ts:2:11: \S/);
  });

  test("--help prints the usage on stdout and exits 0", async () => {
    for (const args of [["--help"], ["help"]]) {
      const result = await spryExit(args);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Usage:/);
      assert.match(result.stdout, /spry run FILE/);
      assert.match(result.stdout, /spry dev FILE/);
      assert.equal(result.stderr, "");
    }
  });

  test("--version prints the version from package.json", async () => {
    const result = await spryExit(["--version"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^spry \d+\.\d+\.\d+/);
  });

  test("no arguments: the usage on stderr, exit 2", async () => {
    const result = await spryExit([]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Usage:/);
  });
});
