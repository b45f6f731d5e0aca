// `spry dev`: restarts on change, survives a broken edit, hands the port over cleanly, and
// leaves no process behind. Real processes, real files under os.tmpdir(), bounded polling.
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  devChildPids,
  exitWithin,
  freePort,
  get,
  isAlive,
  killAll,
  pollBody,
  sleep,
  spry,
  tempProject,
  waitFor,
  type SpryProcess,
} from "./spry-process.ts";

const RELOAD_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 15_000;

const cleanups: (() => void)[] = [];
after(async () => {
  await killAll();
  for (const cleanup of cleanups) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "spry-dev-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A project with main.ts answering GET / with { version }, and GET /slow held until RELEASE_FILE exists. */
function appSource(version: number): string {
  return `import { existsSync } from "node:fs";
import { Spry, sleep } from "spry";

const app = new Spry();
app.get("/", () => ({ version: ${version} }));
app.get("/slow", async () => {
  console.log(JSON.stringify({ msg: "slow request started" }));
  while (!existsSync(process.env.RELEASE_FILE ?? "")) await sleep(20);
  return { version: ${version}, slow: true };
});
export default app;
`;
}

function context(dev: SpryProcess): () => string {
  return () => `--- stdout:\n${dev.stdout()}--- stderr:\n${dev.stderr()}`;
}

const versionIs = (version: number) => (body: string) => body === JSON.stringify({ version });

describe("spry dev", () => {
  test("restarts on each save, in place or by rename, and outlives a syntax error", { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempProject("module");
    cleanups.push(cleanup);
    const file = join(dir, "main.ts");
    const scratch = tempDir();
    writeFileSync(file, appSource(1));
    // Editors save either in place or by renaming a new file over the old one: both must count.
    const saveByRename = (source: string) => {
      writeFileSync(join(scratch, "main.ts"), source);
      renameSync(join(scratch, "main.ts"), file);
    };

    // --port 0: each new app process logs its own port, so the latest logged url is the live one.
    const dev = spry(["dev", "main.ts", "--port", "0"], { cwd: dir });
    const latest = () => dev.urls().at(-1);
    assert.deepEqual(JSON.parse((await get(`${await dev.url()}/`)).body), { version: 1 });

    saveByRename(appSource(2));
    await pollBody(latest, versionIs(2), RELOAD_TIMEOUT_MS, context(dev));

    // Node 20's recursive fs.watch goes deaf to a file once it has been renamed over: this save
    // (in place, after a rename) is the one it would miss.
    writeFileSync(file, "export default {\n  broken: = 1,\n};\n");
    await waitFor("the broken app process to exit", () => /app process exited \(code 1\)/.test(dev.stderr()), RELOAD_TIMEOUT_MS, context(dev));
    assert.match(dev.stderr(), /main\.ts:2:11: /);
    assert.equal(dev.proc.exitCode, null, "the supervisor must outlive its app");

    saveByRename(appSource(3));
    await pollBody(latest, versionIs(3), RELOAD_TIMEOUT_MS, context(dev));

    writeFileSync(file, appSource(4));
    await pollBody(latest, versionIs(4), RELOAD_TIMEOUT_MS, context(dev));

    // Files that are not sources (logs, editor swap files) do not restart anything.
    const starts = devChildPids(dev).length;
    writeFileSync(join(dir, "notes.txt"), "hello");
    writeFileSync(join(dir, ".main.ts.swp"), "swap");
    await sleep(1_000);
    assert.equal(devChildPids(dev).length, starts, dev.stderr());
  });

  test("starts the new app only once the old one has exited, on the same port", { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempProject("module");
    cleanups.push(cleanup);
    const file = join(dir, "main.ts");
    const release = join(tempDir(), "release");
    writeFileSync(file, appSource(1));
    const port = await freePort();
    const dev = spry(["dev", "main.ts", "--port", String(port)], { cwd: dir, env: { RELEASE_FILE: release } });
    const url = await dev.url();
    assert.equal(url, `http://127.0.0.1:${port}`);
    const [oldPid] = devChildPids(dev);
    assert.ok(oldPid !== undefined);

    // A request in flight keeps the old app process alive through its graceful shutdown.
    const slow = get(`${url}/slow`, 60_000);
    await waitFor("the slow request to start", () => dev.stdout().includes("slow request started"), RELOAD_TIMEOUT_MS, context(dev));
    writeFileSync(file, appSource(2));
    await waitFor("the old app to start shutting down", () => dev.stdout().includes('signal: "SIGTERM"'), RELOAD_TIMEOUT_MS, context(dev));
    // A supervisor that did not wait would have started the new process right after the signal;
    // this pause only gives such a bug time to show, a correct one passes whatever its length.
    await sleep(1_000);
    assert.equal(devChildPids(dev).length, 1, `no new app process while the old one runs\n${dev.stderr()}`);
    assert.ok(isAlive(oldPid));

    writeFileSync(release, "");
    assert.deepEqual(JSON.parse((await slow).body), { version: 1, slow: true }, "the in-flight request finishes on the old code");
    await pollBody(() => url, versionIs(2), RELOAD_TIMEOUT_MS, context(dev));
    assert.equal(devChildPids(dev).length, 2);
    assert.equal(isAlive(oldPid), false);
    assert.equal(dev.urls().at(-1), url, "the new app binds the same port");
    assert.doesNotMatch(dev.stderr(), /address already in use|EADDRINUSE/);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} stops the supervisor and its app process, exit code 0`, { timeout: 60_000 }, async () => {
      const { dir, cleanup } = tempProject("module");
      cleanups.push(cleanup);
      writeFileSync(join(dir, "main.ts"), appSource(1));
      const dev = spry(["dev", "main.ts", "--port", "0"], { cwd: dir });
      await get(`${await dev.url()}/`);
      const [childPid] = devChildPids(dev);
      assert.ok(childPid !== undefined && isAlive(childPid));

      dev.proc.kill(signal);
      assert.deepEqual(await exitWithin(dev, STOP_TIMEOUT_MS), { code: 0, signal: null }, dev.stderr());
      assert.equal(isAlive(childPid), false, "the app process must not outlive the supervisor");
    });
  }

  test("under spry dev a block after an await is named by its route (the trace is on)", { timeout: 60_000 }, async () => {
    const { dir, cleanup } = tempProject("module");
    cleanups.push(cleanup);
    writeFileSync(
      join(dir, "main.ts"),
      `import { Spry, sleep } from "spry";
const app = new Spry();
app.get("/after-await", async () => {
  await sleep(5);
  const end = Date.now() + 300;
  while (Date.now() < end);
  return { done: true };
});
export default app;
`,
    );
    const dev = spry(["dev", "main.ts", "--port", "0"], { cwd: dir });
    assert.equal((await get(`${await dev.url()}/after-await`)).status, 200);
    // spry dev logs readable lines: the message, then each field on a line of its own.
    await waitFor("the blocking report", () => dev.stdout().includes('route: "GET /after-await"'), RELOAD_TIMEOUT_MS, context(dev));
    assert.match(dev.stdout(), /WARN.*GET \/after-await blocked the event loop for \d+ ms|WARN.*blocked the event loop for \d+ ms/);
  });

  test("an app process whose supervisor was killed outright stops by itself", { timeout: 60_000 }, async () => {
    const { dir, cleanup } = tempProject("module");
    cleanups.push(cleanup);
    writeFileSync(join(dir, "main.ts"), appSource(1));
    const dev = spry(["dev", "main.ts", "--port", "0"], { cwd: dir });
    const url = await dev.url();
    const [childPid] = devChildPids(dev);
    assert.ok(childPid !== undefined);

    dev.proc.kill("SIGKILL");
    await dev.exited;
    await waitFor("the orphaned app process to exit", () => !isAlive(childPid), STOP_TIMEOUT_MS);
    await assert.rejects(get(`${url}/`, 5_000));
  });
});
