// docs/runtimes.md's promises, on the real hosts: Bun and Deno serve docs/examples/runtimes/app.ts
// through `app.runWith(Bun.serve(...))` and `app.runWith(Deno.serve(...))`, over real HTTP. The
// lifespan has started before the first answer and stops on SIGTERM or the server's own stop;
// Deno runs with exactly the permissions the page lists (no --allow-sys), threads included.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { HostProcess, hostBinary, required, skipUnless } from "../support/hosts.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The permissions docs/runtimes.md lists (checked below), with the machine's temporary directory. */
const DENO_PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", `--allow-write=${tmpdir()}`];

// Here spry's sources, as in every test of the repository (the "spry-source" export condition);
// test/package/runtimes.test.ts runs the installed package on both hosts.
const SOURCES = "--conditions=spry-source";
const hosts: Record<"bun" | "deno", { serve: string[]; stopByCode: string[]; failing: string[] }> = {
  bun: {
    serve: [SOURCES, "docs/examples/runtimes/bun.ts"],
    stopByCode: [SOURCES, "test/runtimes/fixtures/bun-stop.ts"],
    failing: [SOURCES, "test/runtimes/fixtures/failing-startup.ts"],
  },
  deno: {
    serve: ["run", SOURCES, ...DENO_PERMISSIONS, "docs/examples/runtimes/deno.ts"],
    stopByCode: ["run", SOURCES, ...DENO_PERMISSIONS, "test/runtimes/fixtures/deno-stop.ts"],
    failing: ["run", SOURCES, ...DENO_PERMISSIONS, "test/runtimes/fixtures/failing-startup.ts"],
  },
};

// Long enough that a first request sent as the host starts listening arrives mid-startup.
const ENV = { PORT: "0", STARTUP_MS: "300", SLOW_TASK_SECONDS: "0" };

function multipart(name: string, filename: string, bytes: Uint8Array): { body: Uint8Array<ArrayBuffer>; type: string } {
  const boundary = "----spry-hosts";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { body: new Uint8Array(Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)])), type: `multipart/form-data; boundary=${boundary}` };
}

/** A WebSocket handshake to `url` that is answered with an HTTP response: its status and body. */
function handshake(url: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    ws.once("open", () => reject(new Error(`${url} opened a socket`)));
    ws.once("error", reject);
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    });
  });
}

async function json(response: Response): Promise<unknown> {
  assert.equal(response.headers.get("content-type"), "application/json");
  return response.json();
}

for (const host of ["bun", "deno"] as const) {
  const binary = hostBinary(host);

  test(`${host}: the runtimes example serves every kind of request, with its lifespan, and stops on SIGTERM`, { skip: skipUnless(binary) }, async () => {
    const served = HostProcess.start(required(binary), hosts[host].serve, { cwd: root, env: ENV });
    try {
      const origin = await served.origin();
      // Sent at once: it waits for the startup still under way, then reads app.state.
      const first = await fetch(`${origin}/visits`);
      assert.equal(first.status, 200, served.output);
      const visit = (await json(first)) as { visits: number; startedAt: string };
      assert.equal(visit.visits, 1);
      assert.ok(Date.parse(visit.startedAt) <= Date.now());
      assert.match(served.output, /lifespan: started/);

      const small = randomBytes(1000);
      const large = randomBytes(2_500_000); // past 1 MiB: spooled to a temporary file
      const [fast, slow, invalid, created, rejected, upload, spooled, docs, openapi, digest] = await Promise.all([
        fetch(`${origin}/fast_task/`),
        fetch(`${origin}/slow_task/1?q=test`),
        fetch(`${origin}/slow_task/abc`),
        fetch(`${origin}/items/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "pen", price: 1.5 }) }),
        fetch(`${origin}/items/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "pen", price: -1 }) }),
        ...[small, large].map((bytes) => {
          const { body, type } = multipart("upload", "data.bin", bytes);
          return fetch(`${origin}/files/`, { method: "POST", headers: { "content-type": type }, body });
        }),
        fetch(`${origin}/docs`),
        fetch(`${origin}/openapi.json`),
        fetch(`${origin}/digest/hello`),
      ]);
      assert.equal(fast.status, 200);
      assert.deepEqual(await json(fast), { message: "This is fast!" });
      assert.equal(slow.status, 200);
      assert.deepEqual(await json(slow), { item_id: 1, q: "test" });
      assert.equal(invalid.status, 422);
      assert.deepEqual(await json(invalid), {
        detail: [{ type: "int_parsing", loc: ["path", "item_id"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "abc" }],
      });
      assert.equal(created.status, 201);
      assert.deepEqual(await json(created), { name: "pen", price: 1.5 });
      assert.equal(rejected.status, 422);
      const [detail] = ((await json(rejected)) as { detail: { loc: string[]; type: string }[] }).detail;
      assert.deepEqual({ loc: detail!.loc, type: detail!.type }, { loc: ["body", "price"], type: "greater_than" });
      for (const [response, bytes] of [[upload!, small], [spooled!, large]] as const) {
        assert.equal(response.status, 200, served.output);
        assert.deepEqual(await json(response), { filename: "data.bin", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
      }
      assert.equal(docs.status, 200);
      assert.match(docs.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(await docs.text(), /swagger-ui/);
      assert.equal(openapi.status, 200);
      assert.ok(((await json(openapi)) as { paths: Record<string, unknown> }).paths["/visits"]);
      assert.equal(digest.status, 200, served.output);
      assert.deepEqual(await json(digest), { text: "hello", sha256: createHash("sha256").update("hello").digest("hex") });

      // An app without WebSocket routes answers a handshake as the HTTP request it also is
      // (app.fetch looks for handshakes only when the app has such routes; docs/websockets.md).
      assert.deepEqual(await handshake(`${origin}/fast_task/`), { status: 200, body: JSON.stringify({ message: "This is fast!" }) });
      assert.equal((await handshake(`${origin}/nowhere`)).status, 404);

      const again = (await json(await fetch(`${origin}/visits`))) as { visits: number; startedAt: string };
      assert.deepEqual(again, { visits: 2, startedAt: visit.startedAt });

      served.child.kill("SIGTERM");
      const { code } = await served.exited();
      assert.equal(code, 0, served.output);
      assert.match(served.output, /lifespan: started[\s\S]*lifespan: stopped after 2 visits/);
      // pino's line on Bun; on Deno without --allow-sys, the same line written without pino.
      assert.match(served.output, /^\{"level":30,"time":\d+,"signal":"SIGTERM","msg":"Shutting down"\}$/m);
      // Nothing asked for a permission the page does not list, nor failed on its way out.
      assert.doesNotMatch(served.output, /NotCapable|Requires \w+ access|"level":50/);
    } finally {
      served.kill();
    }
  });

  test(`${host}: a failing startup is logged, stops the server and exits 1`, { skip: skipUnless(binary) }, async () => {
    const served = HostProcess.start(required(binary), hosts[host].failing, { cwd: root });
    try {
      const { code } = await served.exited();
      assert.equal(code, 1, served.output);
      assert.match(served.output, /"msg":"Application startup failed; stopping"/);
      assert.match(served.output, /database unreachable/);
    } finally {
      served.kill();
    }
  });

  test(`${host}: stopping the server by code stops the lifespan, and the process exits by itself`, { skip: skipUnless(binary) }, async () => {
    const served = HostProcess.start(required(binary), hosts[host].stopByCode, { cwd: root, env: ENV });
    try {
      const origin = await served.origin();
      for (const visits of [1, 2]) assert.equal(((await json(await fetch(`${origin}/visits`))) as { visits: number }).visits, visits);
      served.child.stdin!.end(); // the fixture calls server.stop() (Bun) or server.shutdown() (Deno)
      const { code } = await served.exited();
      assert.equal(code, 0, served.output);
      assert.match(served.output, /lifespan: stopped after 2 visits/);
    } finally {
      served.kill();
    }
  });
}

// The handler's signal follows the host's request.signal (fetch-request.ts watches it from the
// turn after the signal is read): a client leaving mid-wait ends the wait with ClientDisconnected.
for (const [host, args] of [
  ["bun", [SOURCES, "test/runtimes/fixtures/cancel-bun.ts"]],
  ["deno", ["run", SOURCES, ...DENO_PERMISSIONS, "test/runtimes/fixtures/cancel-deno.ts"]],
] as const) {
  const binary = hostBinary(host);
  test(`${host}: a client that leaves aborts the handler's signal`, { skip: skipUnless(binary) }, async () => {
    const served = HostProcess.start(required(binary), [...args], { cwd: root });
    try {
      const origin = await served.origin();
      const leaving = new AbortController();
      const answered = fetch(`${origin}/wait`, { signal: leaving.signal });
      setTimeout(() => leaving.abort(), 300);
      await assert.rejects(answered, { name: "AbortError" });
      await served.waitFor(/"event":"wait ended","reason":"ClientDisconnected"/, 5_000);
    } finally {
      served.kill();
    }
  });
}

test("docs/runtimes.md gives Deno exactly the permissions these tests run it with", () => {
  const page = readFileSync(`${root}docs/runtimes.md`, "utf8");
  const command = /^deno run (.+) docs\/examples\/runtimes\/deno\.ts$/m.exec(page);
  assert.ok(command, "docs/runtimes.md has no `deno run ... docs/examples/runtimes/deno.ts` line");
  assert.deepEqual(command[1]!.split(" ").map((flag) => flag.replace("=/tmp", `=${tmpdir()}`)), DENO_PERMISSIONS);
});

test("deno check: the Deno entry files and the spry sources they import type-check under Deno", { skip: skipUnless(hostBinary("deno")) }, () => {
  const checked = spawnSync(required(hostBinary("deno")), ["check", SOURCES, "docs/examples/runtimes/deno.ts", "test/runtimes/fixtures/deno-stop.ts", "test/runtimes/fixtures/failing-startup.ts"], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
  });
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
});
