// docs/reliability.md row 46, whole: a log collector that stops reading stdout while the app
// logs its own lines beside the access lines. The server keeps answering, SIGTERM still stops
// it, and what did reach the collector is whole lines, never two writers' bytes in one.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import { EXIT_TIMEOUT_MS, ROOT, STARTUP_TIMEOUT_MS, freePort, get, killAll, waitFor } from "./spry-process.ts";

after(killAll);

const APP = join(ROOT, "test/server/request-ids-app.ts");

test("a collector that stops reading: requests logging their own lines are answered, SIGTERM stops the server, the lines it got are whole", { timeout: 120_000 }, async () => {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(ROOT, "bin/spry.mjs"), "run", APP, "--port", String(port)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  try {
    // Nothing reads stdout from here on, as a stalled collector.
    proc.stdout!.pause();
    let stderr = "";
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const url = `http://127.0.0.1:${port}`;
    await waitFor("the server", () => get(`${url}/work`, 1_000).then((r) => r.status === 200, () => false), STARTUP_TIMEOUT_MS, () => stderr);

    // Three lines a request (two of the app's, the access line), some 1.2 MB in all: far more
    // than the pipe holds, so the server's writes meet a full pipe long before the end.
    let answered = 0;
    const client = async () => {
      for (let i = 0; i < 150; i++) {
        const response = await get(`${url}/work`, 10_000);
        assert.equal(response.status, 200);
        answered++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    assert.equal(answered, 3000);

    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const stopped = performance.now();
    proc.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), EXIT_TIMEOUT_MS))]);
    assert.equal(code, 0, `${code} ${Math.round(performance.now() - stopped)} ms after SIGTERM; stderr: ${stderr}`);

    // Now the collector reads what is in the pipe: line after whole line.
    proc.stdout!.setEncoding("utf8");
    let out = "";
    proc.stdout!.on("data", (chunk: string) => (out += chunk));
    proc.stdout!.resume();
    await new Promise((resolve) => proc.stdout!.once("end", resolve));
    const lines = out.split("\n");
    // What the end gave up on may leave the last one cut short; every other line is whole JSON.
    lines.pop();
    assert.ok(lines.length > 100, `${lines.length} lines`);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a whole line: ${line.slice(0, 300)}`);
  } finally {
    proc.kill("SIGKILL");
  }
});
