// The ids spry's server makes (src/server/request-id.ts): UUID-shaped, never repeated within a
// process nor shared between processes; and the id in the head of every kind of response the
// server writes (src/server/server-response.ts), once, unless the response names its own.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, describe, test } from "node:test";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { Spry } from "spry";
import { newRequestId } from "../../src/server/request-id.ts";
import { recordingLogger } from "../support/logger.ts";
import { TestServer } from "../support/server.ts";

// RFC 9562: version 8 (custom layout), variant 10.
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MODULE = fileURLToPath(new URL("../../src/server/request-id.ts", import.meta.url));

describe("newRequestId", () => {
  test("UUID-shaped, and never the same twice in a process", () => {
    const ids = Array.from({ length: 10_000 }, () => newRequestId());
    for (const id of ids) assert.match(id, UUID_V8);
    assert.equal(new Set(ids).size, ids.length);
  });

  test("another process (a worker, a restart) draws another random part", () => {
    const script = `import(${JSON.stringify(MODULE)}).then((m) => console.log(m.newRequestId()))`;
    const run = () => execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim();
    const [a, b] = [run(), run()];
    assert.match(a, UUID_V8);
    assert.match(b, UUID_V8);
    // The first 23 characters are the process's random part; the rest counts its requests.
    assert.notEqual(a.slice(0, 23), b.slice(0, 23));
  });
});

const app = new Spry({ logger: recordingLogger() });
app.get("/plain", () => ({ ok: true }));
app.get("/own", () => new Response("mine", { headers: { "x-request-id": "from-the-handler" } }));
app.get("/stream", async function* () {
  yield { n: 1 };
});
app.get("/set", (_, ctx) => {
  ctx.setHeader("x-request-id", "set-by-the-handler");
  return "ok";
});

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

/** A GET's status and every X-Request-ID line of its head, as sent. */
function idLines(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; ids: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      res.resume();
      const ids = res.rawHeaders.filter((_, i) => i % 2 === 1 && res.rawHeaders[i - 1]!.toLowerCase() === "x-request-id");
      res.on("end", () => resolve({ status: res.statusCode!, ids }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the id in the head", () => {
  test("each kind of response carries it once: JSON, a stream, a refusal before the app", async () => {
    const srv = await TestServer.start(app);
    servers.push(srv);
    for (const path of ["/plain", "/stream"]) {
      const { status, ids } = await idLines(srv.port, path);
      assert.equal(status, 200, path);
      assert.equal(ids.length, 1, path);
      assert.match(ids[0]!, UUID_V8, path);
    }
    // No Host header: refused by the server before the app sees the request.
    const { response: refused } = await srv.send("GET /plain HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.equal(refused.status, 400);
    assert.match(refused.headers["x-request-id"] ?? "", UUID_V8);
  });

  test("a response's own X-Request-ID wins, sent once; a trusted client's is echoed", async () => {
    const srv = await TestServer.start(app);
    servers.push(srv);
    assert.deepEqual(await idLines(srv.port, "/own"), { status: 200, ids: ["from-the-handler"] });
    assert.deepEqual(await idLines(srv.port, "/set"), { status: 200, ids: ["set-by-the-handler"] });
    assert.deepEqual(await idLines(srv.port, "/stream", { "x-request-id": "edge-9" }), { status: 200, ids: ["edge-9"] });
    assert.deepEqual(await idLines(srv.port, "/plain", { "x-request-id": "edge-10" }), { status: 200, ids: ["edge-10"] });
  });
});
