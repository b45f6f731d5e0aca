// A file served over node:http goes from its node stream straight to the socket (node-body.ts);
// these check the bytes a client gets that way, whole and ranged, and that middleware which
// reads the body on its way out still gets every byte through the web stream.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Spry, SpryResponse } from "spry";
import { staticFiles } from "spry/files";
import { makeFileTree } from "../support/files.ts";
import { recordingLogger } from "../support/logger.ts";
import { TestServer } from "../support/server.ts";

const tree = makeFileTree();
const LARGE = randomBytes(1024 * 1024 + 17);
writeFileSync(join(tree.public, "large.bin"), LARGE);
const logger = recordingLogger();
const app = new Spry({ logger });
app.mount("/static", staticFiles({ directory: tree.public }));
const piped = new Spry({ logger });
// Middleware that reads the file's body through a transform: the web stream is what it gets.
piped.use(async (_request, next) => {
  const response = await next();
  const whole = response instanceof SpryResponse ? response : SpryResponse.from(response);
  if (whole.body instanceof ReadableStream) whole.body = whole.body.pipeThrough(new TransformStream());
  whole.headers["x-piped"] = "yes";
  return whole;
});
piped.mount("/static", staticFiles({ directory: tree.public }));
let server: TestServer;
let pipedServer: TestServer;
before(async () => {
  server = await TestServer.start(app);
  pipedServer = await TestServer.start(piped);
});
after(async () => {
  await server.close();
  await pipedServer.close();
  tree.remove();
});

const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

test("a 1 MB file over node:http: every byte, its length and validators", async () => {
  const response = await fetch(`${server.running.url}/static/large.bin`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-length"), String(LARGE.length));
  assert.ok(response.headers.get("etag"));
  assert.ok(response.headers.get("last-modified"));
  assert.ok((await bytes(response)).equals(LARGE));
});

test("a Range over node:http: 206 with exactly the bytes asked for", async () => {
  const response = await fetch(`${server.running.url}/static/large.bin`, { headers: { range: "bytes=1000-70999" } });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("content-range"), `bytes 1000-70999/${LARGE.length}`);
  assert.equal(response.headers.get("content-length"), "70000");
  assert.ok((await bytes(response)).equals(LARGE.subarray(1000, 71000)));
});

test("HEAD over node:http: the headers, no body", async () => {
  const response = await fetch(`${server.running.url}/static/large.bin`, { method: "HEAD" });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-length"), String(LARGE.length));
  assert.equal((await bytes(response)).length, 0);
});

test("middleware that reads the body on its way out still sends every byte", async () => {
  const response = await fetch(`${pipedServer.running.url}/static/large.bin`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-piped"), "yes");
  assert.ok((await bytes(response)).equals(LARGE));
  assert.deepEqual(logger.entries.filter((entry) => entry.level === "error"), []);
});
