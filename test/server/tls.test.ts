// HTTPS and HTTP/2 (with HTTP/1.1 still offered by ALPN): the same app and limits on both,
// with a self-signed certificate made for the test by openssl.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect as http2Connect } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syncBuiltinESMExports } from "node:module";
import { after, before, describe, mock, test } from "node:test";
import tls from "node:tls";
import { Spry } from "spry";
import { serve, type Running } from "spry/server";
import { recordingLogger } from "../support/logger.ts";
import { eventually } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "spry-tls-"));
const keyFile = join(dir, "key.pem");
const certFile = join(dir, "cert.pem");
const lockedKey = join(dir, "locked.pem");
before(() => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  execFileSync("openssl", ["pkey", "-in", keyFile, "-out", lockedKey, "-aes256", "-passout", "pass:s3cret"], { stdio: "ignore" });
});
const running: Running[] = [];
after(async () => {
  await Promise.all(running.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

const app = new Spry({ logger: false, limits: { bodyLimit: 16 } });
app.get("/hello", () => ({ hello: "world" }));
app.post("/echo", async (_i, ctx) => ({ size: (await ctx.body()).byteLength }));

async function start(options: Parameters<typeof serve>[1] = {}): Promise<string> {
  const r = await serve(app, { host: "127.0.0.1", port: 0, handleSignals: false, gracePeriod: 1000, ...options });
  running.push(r);
  return r.url;
}

function https1(url: string, path: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; version: string; alpn: string | false; body: string }>((resolve, reject) => {
    const req = httpsRequest(`${url}${path}`, { ca: readFileSync(certFile), method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, version: res.httpVersion, alpn: (res.socket as import("node:tls").TLSSocket).alpnProtocol ?? false, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

function http2(url: string, path: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const session = http2Connect(url, { ca: readFileSync(certFile) });
    session.on("error", reject);
    const stream = session.request({ ":path": path, ":method": options.method ?? "GET", ...options.headers });
    let status = 0;
    let body = "";
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    stream.on("end", () => {
      session.close();
      resolve({ status, body });
    });
    stream.on("error", (error) => {
      session.close();
      reject(error);
    });
    stream.end(options.body);
  });
}

describe("HTTPS", () => {
  test("the secure context is built once at startup, checked and then served (HTTPS and HTTP/2)", async () => {
    // node:https and node:http2 build theirs through this same function: counting its calls
    // while a server starts counts every context it makes. (The test's clients make their own.)
    const built = mock.method(tls, "createSecureContext");
    syncBuiltinESMExports();
    let url: string, h2: string;
    try {
      url = await start({ tls: { keyFile, certFile } });
      assert.equal(built.mock.callCount(), 1);
      h2 = await start({ tls: { keyFile, certFile }, http2: true });
      assert.equal(built.mock.callCount(), 2);
    } finally {
      built.mock.restore();
      syncBuiltinESMExports();
    }
    assert.equal((await https1(url, "/hello")).status, 200);
    assert.equal((await http2(h2, "/hello")).status, 200);
  });

  test("serves the app over TLS, and the url says https", async () => {
    const url = await start({ tls: { keyFile, certFile } });
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await https1(url, "/hello");
    assert.deepEqual([response.status, response.body], [200, '{"hello":"world"}']);
  });

  test("an encrypted key with its passphrase; a wrong one is refused at startup", async () => {
    const url = await start({ tls: { keyFile: lockedKey, certFile, passphrase: "s3cret" } });
    assert.equal((await https1(url, "/hello")).status, 200);
    await assert.rejects(start({ tls: { keyFile: lockedKey, certFile, passphrase: "wrong" } }), /^LoadError: cannot decrypt the key file .*: wrong passphrase \(--ssl-keyfile-password\)/);
    await assert.rejects(start({ tls: { keyFile: lockedKey, certFile } }), /cannot decrypt the key file .*: it is encrypted and no passphrase was given/);
  });

  test("a missing key file: one clear message", async () => {
    await assert.rejects(start({ tls: { keyFile: join(dir, "nope.pem"), certFile } }), /cannot read the key file \(--ssl-keyfile\) .*nope\.pem: no such file/);
  });

  test("http2 without tls is refused", async () => {
    await assert.rejects(start({ http2: true }), /http2 needs tls/);
  });
});

describe("HTTP/2 with HTTP/1.1 still offered by ALPN", () => {
  let url: string;
  before(async () => {
    url = await start({ tls: { keyFile, certFile }, http2: true, maxHeaderSize: 4096 });
  });

  test("an HTTP/2 client gets HTTP/2, an HTTP/1.1 client HTTP/1.1, same app", async () => {
    assert.deepEqual(await http2(url, "/hello"), { status: 200, body: '{"hello":"world"}' });
    const h1 = await https1(url, "/hello");
    assert.deepEqual([h1.status, h1.version, h1.body], [200, "1.1", '{"hello":"world"}']);
  });

  test("the app's limits on both: 413 past the body limit", async () => {
    assert.equal((await http2(url, "/echo", { method: "POST", body: "x".repeat(16) })).status, 200);
    assert.equal((await http2(url, "/echo", { method: "POST", body: "x".repeat(17) })).status, 413);
    assert.equal((await https1(url, "/echo", { method: "POST", body: "x".repeat(17) })).status, 413);
  });

  test("the server's head limit on both: an oversized head is refused, never served", async () => {
    const big = { "x-big": "y".repeat(6000) };
    assert.equal((await https1(url, "/hello", { headers: big })).status, 431);
    const refused = await http2(url, "/hello", { headers: big }).then((r) => r.status, (error: Error) => error.message);
    assert.notEqual(refused, 200);
    assert.equal((await http2(url, "/hello")).status, 200);
  });

  test("the access line of an HTTP/2 request names its client, as an HTTP/1.1 one does", async () => {
    const access = recordingLogger();
    const logged = await start({ tls: { keyFile, certFile }, http2: true, accessLog: access });
    assert.equal((await http2(logged, "/hello")).status, 200);
    assert.equal((await https1(logged, "/hello")).status, 200);
    await eventually(() => access.entries.length === 2);
    assert.deepEqual(access.entries.map((e) => [e.fields.httpVersion, e.fields.status]), [["2.0", 200], ["1.1", 200]]);
    for (const entry of access.entries) assert.match(entry.fields.client as string, /^127\.0\.0\.1:\d+$/);
  });

  test("404 and 405 as on HTTP/1.1", async () => {
    assert.equal((await http2(url, "/nope")).status, 404);
    assert.equal((await http2(url, "/hello", { method: "DELETE" })).status, 405);
  });
});
