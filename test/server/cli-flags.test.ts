// The flags of `spry run` and `spry dev` (and their environment variables), on real processes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect as http2Connect } from "node:http2";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { FLAGS } from "../../src/server/cli-options.ts";
import { LIFECYCLE_APP, events, exchange, logLines, releaseFile, removeReleaseFiles } from "./lifecycle.ts";
import { freePort, get, isAlive, killAll, spry, spryExit, waitFor } from "./spry-process.ts";

const SEED = "examples/seed/main.ts";
const dirs: string[] = [];
after(async () => {
  await killAll();
  removeReleaseFiles();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function post(url: string, body: string, socketPath?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, socketPath, path: target.pathname, method: "POST", headers: { "content-length": Buffer.byteLength(body) }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, stderr);
  return lines[0]!;
}

describe("--help of each command", () => {
  for (const command of ["run", "dev"] as const) {
    test(`spry ${command} --help lists every flag of ${command} with its environment variable`, async () => {
      const result = await spryExit([command, "--help"]);
      assert.equal(result.code, 0);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, new RegExp(`^Usage: spry ${command} FILE \\[options\\]`));
      for (const flag of FLAGS) {
        const listed = new RegExp(`^  --${flag.name}\\b.*${flag.env === undefined ? "" : `\\[${flag.env}\\]`}$`, "m");
        if (flag.commands.includes(command)) assert.match(result.stdout, listed, `--${flag.name}`);
        else assert.doesNotMatch(result.stdout, new RegExp(`--${flag.name}\\b`));
      }
    });
  }

  test("spry worker --help prints the worker's own usage", async () => {
    const result = await spryExit(["worker", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: spry worker FILE \[options\]/);
    assert.match(result.stdout, /--concurrency N/);
  });
});

describe("usage errors: one clean line, exit 2", () => {
  for (const [args, env, line] of [
    [["run", SEED, "--reload"], {}, "spry: unknown option --reload (see spry run --help)"],
    [["run", SEED, "-x"], {}, "spry: unknown option -x (see spry run --help)"],
    [["dev", SEED, "--workers", "2"], {}, "spry: --workers is for spry run only (see spry dev --help)"],
    [["run", SEED, "--port"], {}, "spry: --port needs a value: --port PORT (see spry run --help)"],
    [["run", SEED, "--body-limit", "lots"], {}, 'spry: --body-limit must be a size in bytes (e.g. 1048576, 512k, 1M), got "lots" (see spry run --help)'],
    [["run", SEED], { SPRY_TIMEOUT_KEEP_ALIVE: "soon" }, 'spry: SPRY_TIMEOUT_KEEP_ALIVE must be a number of seconds, got "soon" (see spry run --help)'],
    [["run", SEED, "--log-level", "loud"], {}, 'spry: --log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud" (see spry run --help)'],
    [["run", SEED, "--uds", "/tmp/x.sock", "--port", "80"], {}, "spry: --uds and --port exclude each other: a unix socket has no port (see spry run --help)"],
    [["worker", SEED, "--nope"], {}, "spry: unknown option --nope (see spry worker --help)"],
    [["run", SEED], { FORWARDED_ALLOW_IPS: "proxy.local" }, 'spry: FORWARDED_ALLOW_IPS: "proxy.local" is not an IP address or network (see spry run --help)'],
    [["run", SEED, "--root-path", "api"], {}, 'spry: --root-path must be a path such as /api/v1, got "api" (see spry run --help)'],
    [["run", SEED, "--proxy-headers=yes"], {}, "spry: --proxy-headers takes no value (see spry run --help)"],
    [["run", SEED, "--http2"], {}, "spry: --http2 needs --ssl-keyfile and --ssl-certfile: HTTP/2 is served over TLS (see spry run --help)"],
    [["run", SEED, "--ssl-keyfile", "key.pem"], {}, "spry: --ssl-keyfile needs --ssl-certfile (see spry run --help)"],
  ] as const) {
    test(`spry ${args.join(" ")} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")}`.trimEnd(), async () => {
      const result = await spryExit([...args], { env: { ...env } });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(oneLine(result.stderr), line);
    });
  }
});

describe("server flags", () => {
  test("--uds serves on a unix socket with mode 0666, and the url says so", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "spry-uds-"));
    dirs.push(dir);
    const path = join(dir, "app.sock");
    const server = spry(["run", SEED, "--uds", path]);
    assert.equal(await server.url(), `unix:${path}`);
    assert.equal(statSync(path).mode & 0o777, 0o666);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ socketPath: path, path: "/fast_task/", agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      })
        .on("error", reject)
        .end();
    });
    assert.deepEqual(answer, { status: 200, body: '{"message":"This is fast!"}' });
    server.proc.kill("SIGTERM");
    assert.deepEqual(await server.exited, { code: 0, signal: null });
  });

  test("--limit-concurrency 1: a second request in flight gets 503 with Retry-After at once", { timeout: 60_000 }, async () => {
    const { path, release } = releaseFile();
    const server = spry(["run", LIFECYCLE_APP, "--port", "0", "--limit-concurrency", "1"], { env: { RELEASE_FILE: path } });
    const url = await server.url();
    const held = exchange(`${url}/hold/one`, false);
    await waitFor("the request in flight", () => events(server, "hold").length === 1, 30_000, server.stdout);
    const refused = exchange(`${url}/pid`, false);
    const response = await refused.response;
    assert.equal(response.status, 503);
    assert.equal(response.headers["retry-after"], "1");
    assert.deepEqual(JSON.parse(response.body), { detail: "Too many requests in flight" });
    release();
    assert.equal((await held.response).status, 200);
    assert.equal((await get(`${url}/pid`)).status, 200);
  });

  test("--timeout-keep-alive 1 closes an idle keep-alive connection after a second", { timeout: 60_000 }, async () => {
    const server = spry(["run", SEED, "--port", "0", "--timeout-keep-alive", "1"]);
    const url = await server.url();
    const { port } = new URL(url);
    const socket = connect(Number(port), "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => (received += chunk));
    socket.on("error", () => {});
    socket.write("GET /fast_task/ HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor("the response", () => received.includes("This is fast!"), 10_000);
    const answeredAt = Date.now();
    assert.match(received, /keep-alive: timeout=1/i);
    await waitFor("the server to close the idle connection", () => socket.readableEnded || socket.destroyed, 4_000);
    assert.ok(Date.now() - answeredAt >= 500, "closed after the keep-alive timeout, not at once");
    socket.destroy();
  });

  test("--body-limit and SPRY_BODY_LIMIT set the app's limit (413 past it)", { timeout: 60_000 }, async () => {
    for (const [args, env] of [[["--body-limit", "1k"], {}], [[], { SPRY_BODY_LIMIT: "1k" }]] as const) {
      const server = spry(["run", LIFECYCLE_APP, "--port", "0", ...args], { env: { ...env } });
      const url = await server.url();
      assert.equal((await post(`${url}/pid`, "x".repeat(1024))).status, 200);
      assert.equal((await post(`${url}/pid`, "x".repeat(1025))).status, 413);
      server.proc.kill("SIGTERM");
      await server.exited;
    }
  });

  test("--log-level error: no info lines", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const server = spry(["run", SEED, "--port", String(port), "--log-level", "error"]);
    await waitFor("the server to answer", async () => (await get(`http://127.0.0.1:${port}/fast_task/`, 2_000).then((r) => r.status, () => 0)) === 200, 30_000, server.stderr);
    server.proc.kill("SIGTERM");
    await server.exited;
    assert.deepEqual(logLines(server), []);
  });
});

test("--ssl-keyfile, --ssl-certfile and --http2: an https url, HTTP/1.1 and HTTP/2 served", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "spry-cli-tls-"));
  dirs.push(dir);
  const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const server = spry(["run", SEED, "--port", "0", "--ssl-keyfile", key, "--ssl-certfile", cert, "--http2"]);
  const url = await server.url();
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const h1 = await new Promise<string>((resolve, reject) => {
    httpsRequest(`${url}/fast_task/`, { ca: readFileSync(cert), agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(`${res.httpVersion} ${res.statusCode} ${body}`));
    }).on("error", reject).end();
  });
  assert.equal(h1, '1.1 200 {"message":"This is fast!"}');
  const session = http2Connect(url, { ca: readFileSync(cert) });
  const h2 = await new Promise<string>((resolve, reject) => {
    const stream = session.request({ ":path": "/fast_task/" });
    let status = 0;
    let body = "";
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    stream.on("end", () => resolve(`${status} ${body}`));
    stream.on("error", reject);
  });
  session.close();
  assert.equal(h2, '200 {"message":"This is fast!"}');
  server.proc.kill("SIGTERM");
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});

describe("--limit-max-requests", () => {
  test("one process stops gracefully after N requests, each answered", { timeout: 60_000 }, async () => {
    const server = spry(["run", LIFECYCLE_APP, "--port", "0", "--limit-max-requests", "5", "--limit-max-requests-jitter", "0"]);
    const url = await server.url();
    for (let i = 0; i < 5; i++) assert.equal((await get(`${url}/pid`)).status, 200);
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    assert.ok(logLines(server).some((line) => line.msg === "Served 5 requests (--limit-max-requests): restarting"), server.stdout());
  });

  test("under --workers, the primary starts a replacement first; no request fails", { timeout: 120_000 }, async () => {
    const server = spry(["run", LIFECYCLE_APP, "--port", "0", "--workers", "2", "--limit-max-requests", "30"]);
    const url = await server.url();
    const started = () => logLines(server).filter((line) => typeof line.msg === "string" && line.msg.startsWith("started worker")).map((line) => line.worker as number);
    await waitFor("2 workers", () => started().length === 2, 60_000, server.stdout);
    const first = started();
    const failures: string[] = [];
    let answered = 0;
    const client = async () => {
      while ((started().length < 4 || first.some(isAlive)) && answered < 2_000) {
        const result = await get(`${url}/pid`).then((r) => r.status, (error: Error) => error.message);
        if (result === 200) answered++;
        else failures.push(String(result));
      }
    };
    await Promise.all([client(), client(), client()]);
    assert.deepEqual(failures, []);
    assert.ok(started().length >= 4, server.stdout());
    for (const pid of first) assert.equal(isAlive(pid), false, `worker ${pid} still running`);
    assert.ok(logLines(server).filter((line) => /^Served \d+ requests/.test(String(line.msg))).length >= 2, server.stdout());
  });

  test("under --workers, SIGTERM while a replacement is still starting is a clean stop (exit 0)", { timeout: 120_000 }, async () => {
    const server = spry(["run", LIFECYCLE_APP, "--port", "0", "--workers", "1", "--limit-max-requests", "3", "--limit-max-requests-jitter", "0"]);
    const url = await server.url();
    const started = () => logLines(server).filter((line) => typeof line.msg === "string" && line.msg.startsWith("started worker"));
    for (let i = 0; i < 3; i++) assert.equal((await get(`${url}/pid`)).status, 200);
    // The replacement is forked (and logged) before it listens: stop the primary in between.
    await waitFor("the replacement worker", () => started().length === 2, 60_000, server.stdout);
    server.proc.kill("SIGTERM");
    assert.deepEqual(await server.exited, { code: 0, signal: null }, server.stdout() + server.stderr());
    assert.ok(!server.stdout().includes("exited before listening"), server.stdout());
  });
});

test("docs/server.md documents every flag and its environment variable", async () => {
  const { readFileSync } = await import("node:fs");
  const doc = readFileSync(new URL("../../docs/server.md", import.meta.url), "utf8");
  for (const flag of FLAGS) {
    assert.ok(doc.includes(`\`--${flag.name}`), `--${flag.name}`);
    if (flag.env !== undefined) assert.ok(doc.includes(`\`${flag.env}\``), flag.env);
  }
});
