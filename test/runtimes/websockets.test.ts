// WebSockets on every host, from one app (test/runtimes/fixtures/websocket-app.ts): node:http
// through `ws`, Bun through its own upgrade (Bun.serve's `websocket`), Deno through
// Deno.upgradeWebSocket. Each answers the same handshakes the same way: inputs, subprotocol and
// headers, refusals (404, 401, 403), the 1008 of invalid inputs, text, bytes and JSON, the
// message limit's 1009, close codes both ways, and 1001 to every open socket on SIGTERM.
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { WebSocket as Client } from "ws";
import { HostProcess, hostBinary, required, skipUnless } from "../support/hosts.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const SOURCES = "--conditions=spry-source";
const FIXTURES = "test/runtimes/fixtures";
const DENO_PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", `--allow-write=${tmpdir()}`];

const hosts = {
  node: { binary: { path: process.execPath } as const, args: [SOURCES, `${FIXTURES}/websocket-node.ts`] },
  bun: { binary: hostBinary("bun"), args: [SOURCES, `${FIXTURES}/websocket-bun.ts`] },
  deno: { binary: hostBinary("deno"), args: ["run", SOURCES, ...DENO_PERMISSIONS, `${FIXTURES}/websocket-deno.ts`] },
};

interface Opened {
  ws: Client;
  headers: Record<string, string | string[] | undefined>;
  messages: (string | Buffer)[];
  next(): Promise<string | Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a socket; rejects with the HTTP status when the handshake is refused. */
function open(url: string, options: { protocols?: string[]; origin?: string; host?: string } = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new Client(url, options.protocols ?? [], { ...(options.origin !== undefined && { origin: options.origin }), ...(options.host !== undefined && { headers: { host: options.host } }) });
    const messages: (string | Buffer)[] = [];
    const waiting: ((m: string | Buffer) => void)[] = [];
    ws.on("message", (data: Buffer, isBinary) => {
      const message = isBinary ? data : data.toString("utf8");
      const waiter = waiting.shift();
      if (waiter !== undefined) waiter(message);
      else messages.push(message);
    });
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.once("close", (code, reason) => done({ code, reason: reason.toString() })));
    let headers: Opened["headers"] = {};
    ws.once("upgrade", (response) => (headers = response.headers));
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => reject(Object.assign(new Error(`${url} refused: ${response.statusCode} ${body}`), { status: response.statusCode, body })));
    });
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        ws,
        headers,
        messages,
        closed,
        next: () => (messages.length > 0 ? Promise.resolve(messages.shift()!) : new Promise((r) => waiting.push(r))),
      }),
    );
  });
}

function reports(served: HostProcess): Record<string, unknown>[] {
  return served.output.split("\n").flatMap((line) => {
    if (!line.startsWith('{"event":"ws"')) return [];
    return [JSON.parse(line) as Record<string, unknown>];
  });
}

async function eventually(what: string, ready: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const [host, { binary, args }] of Object.entries(hosts)) {
  test(`${host}: the same WebSocket app, through the host's own upgrade, with the same answers and limits`, { skip: skipUnless(binary), timeout: 90_000 }, async () => {
    const served = HostProcess.start(required(binary), args, { cwd: root, env: { PORT: "0" } });
    try {
      const base = (await served.origin()).replace(/^http/, "ws");

      // Inputs, the chosen subprotocol and the handler's headers; text, JSON and bytes.
      const echo = await open(`${base}/echo/lobby?token=t1`, { protocols: ["chat.v2", "chat.v1"] });
      assert.equal(echo.ws.protocol, "chat.v2");
      assert.equal(echo.headers["x-room"], "lobby");
      echo.ws.send("hi");
      assert.equal(await echo.next(), "lobby: hi");
      echo.ws.send(JSON.stringify({ n: 1 }));
      assert.deepEqual(JSON.parse(String(await echo.next())), { room: "lobby", token: "t1", got: { n: 1 } });
      const bytes = Buffer.from([0, 1, 2, 255]);
      echo.ws.send(bytes);
      assert.deepEqual(await echo.next(), bytes);
      echo.ws.close(1000, "done");
      assert.deepEqual(await echo.closed, { code: 1000, reason: "done" });
      await eventually("the echo handler's report", () => reports(served).some((r) => r.route === "echo"), () => served.output);
      assert.deepEqual(reports(served).find((r) => r.route === "echo")!.closed, { code: 1000, reason: "done" });

      // Invalid inputs: accepted, then closed 1008 with FastAPI's errors as the reason.
      const invalid = await open(`${base}/echo/lobby`);
      const invalidClose = await invalid.closed;
      assert.equal(invalidClose.code, 1008);
      assert.deepEqual(JSON.parse(invalidClose.reason), { detail: [{ type: "missing", loc: ["query", "token"], msg: "Field required", input: null }] });

      // Refusals are HTTP answers to the handshake.
      await assert.rejects(open(`${base}/nowhere`), { status: 404 });
      await assert.rejects(open(`${base}/guarded`), (error: { status: number; body: string }) => {
        assert.equal(error.status, 401);
        assert.deepEqual(JSON.parse(error.body), { detail: "Not authenticated" });
        return true;
      });
      const guarded = await open(`${base}/guarded?key=open-sesame`);
      assert.deepEqual(JSON.parse(String(await guarded.next())), { ok: true });
      assert.equal((await guarded.closed).code, 1000);
      // Origins: a cross-site page is refused (403), an allowed one and a non-browser let in.
      await assert.rejects(open(`${base}/partner`, { origin: "https://evil.example" }), { status: 403 });
      const partner = await open(`${base}/partner`, { origin: "https://partner.example" });
      assert.equal(await partner.next(), "hello, partner");
      await assert.rejects(open(`${base}/small`, { origin: "https://evil.example" }), { status: 403 });
      // The app's CORS origins may open a same-origin route; its TrustedHost refuses other hosts.
      const trusted = await open(`${base}/small`, { origin: "https://app.example" });
      trusted.ws.close();
      await assert.rejects(open(`${base}/small`, { host: "evil.example" }), { status: 400, body: "Invalid host header" });

      // The route's message limit: under it answered, over it 1009.
      const small = await open(`${base}/small`);
      small.ws.send("x".repeat(1024));
      assert.equal(await small.next(), "1024");
      small.ws.send("x".repeat(1025));
      assert.equal((await small.closed).code, 1009);

      // Close codes both ways: the server's, and the client's seen by the handler.
      const bye = await open(`${base}/bye`);
      assert.deepEqual(await bye.closed, { code: 4001, reason: "bye" });
      const listen = await open(`${base}/listen`);
      listen.ws.close(4002, "leaving");
      await listen.closed;
      await eventually("the listener's report", () => reports(served).some((r) => r.route === "listen"), () => served.output);
      assert.deepEqual(reports(served).find((r) => r.route === "listen"), { event: "ws", route: "listen", code: 4002, reason: "leaving", aborted: true });

      // SIGTERM: open sockets are told 1001 and the host exits cleanly.
      const held = await Promise.all([open(`${base}/listen`), open(`${base}/echo/a?token=t`)]);
      served.child.kill("SIGTERM");
      for (const socket of held) assert.equal((await socket.closed).code, 1001);
      assert.deepEqual(await served.exited(), { code: 0, signal: null });
    } finally {
      served.kill();
    }
  });
}

for (const [host, { binary, args }] of Object.entries(hosts)) {
  test(`${host}: a flood and a client that never reads are bounded`, { skip: skipUnless(binary), timeout: 90_000 }, async (t) => {
    const served = HostProcess.start(required(binary), args, { cwd: root, env: { PORT: "0" } });
    try {
      const base = (await served.origin()).replace(/^http/, "ws");

      // 100 messages at once to a handler reading one per 20 ms, four unread at most.
      const slow = await open(`${base}/slow`);
      for (let i = 0; i < 100; i++) slow.ws.send(`m${i}`);
      if (host === "node") {
        // node:http stops reading the socket: the flood waits in it, and is read whole.
        await eventually("every message read", () => slow.ws.bufferedAmount === 0, () => served.output);
        slow.ws.close(1000);
        await eventually("the slow handler's report", () => reports(served).some((r) => r.route === "slow"), () => served.output);
        assert.equal(reports(served).find((r) => r.route === "slow")!.read, 100);
      } else {
        // Bun and Deno cannot stop reading: past four times the limit unread, the socket closes
        // with 1008. Deno, still receiving the flood after its close frame, may drop the
        // connection instead of finishing the closing handshake: the client then sees 1006.
        const closed = await slow.closed;
        if (host === "deno" && closed.code === 1006) assert.equal(closed.reason, "");
        else assert.deepEqual(closed, { code: 1008, reason: "Too many unread messages" });
        await eventually("the slow handler's report", () => reports(served).some((r) => r.route === "slow"), () => served.output);
        assert.ok((reports(served).find((r) => r.route === "slow")!.read as number) < 100);
      }

      // A client that never reads: the sends wait on the buffer limit, then the socket closes (1008).
      const firehose = await open(`${base}/firehose`);
      (firehose.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      await eventually("the firehose's report", () => reports(served).some((r) => r.route === "firehose"), () => served.output);
      const report = reports(served).find((r) => r.route === "firehose")!;
      t.diagnostic(`${report.sent as number} chunks of 64 KiB sent before the send gave up`);
      assert.equal(report.code, 1008);
      // What went out is bounded by the kernel's socket buffers (about 4 MiB on loopback) and
      // the 256 KiB limit, not by how long the send waited.
      assert.ok((report.sent as number) < 256, `${report.sent as number} chunks of 64 KiB sent to a client that never read`);
      firehose.ws.terminate();
      served.child.kill("SIGTERM");
      assert.equal((await served.exited()).code, 0);
    } finally {
      served.kill();
    }
  });
}

for (const [host, { binary, args }] of Object.entries(hosts)) {
  test(`${host}: forEach(), the callback idiom: kinds, the limits, back-pressure, errors and mixing`, { skip: skipUnless(binary), timeout: 90_000 }, async () => {
    const served = HostProcess.start(required(binary), args, { cwd: root, env: { PORT: "0" } });
    try {
      const base = (await served.origin()).replace(/^http/, "ws");

      // Text and bytes as for-await delivers them; the client's close code ends forEach().
      const each = await open(`${base}/each`);
      each.ws.send("hi");
      assert.equal(await each.next(), "text: hi");
      const bytes = Buffer.from([0, 1, 2, 255]);
      each.ws.send(bytes);
      assert.deepEqual(await each.next(), bytes);
      each.ws.close(4002, "leaving");
      await each.closed;
      await eventually("the each handler's report", () => reports(served).some((r) => r.route === "each"), () => served.output);
      assert.deepEqual(reports(served).find((r) => r.route === "each"), { event: "ws", route: "each", read: 2, closed: { code: 4002, reason: "leaving" } });
      // The route's message limit holds as for a loop: over it, 1009.
      const big = await open(`${base}/each`);
      big.ws.send("x".repeat(1025));
      assert.equal((await big.closed).code, 1009);

      // An async callback: one message at a time, and a flood bounded as for a slow loop.
      const slow = await open(`${base}/each-slow`);
      for (let i = 0; i < 100; i++) slow.ws.send(`m${i}`);
      if (host === "node") {
        // Messages that came before the close are still delivered, then forEach() ends.
        await eventually("every message sent", () => slow.ws.bufferedAmount === 0, () => served.output);
        slow.ws.close(1000);
        await eventually("the slow callback's report", () => reports(served).some((r) => r.route === "each-slow"), () => served.output);
        assert.deepEqual(reports(served).find((r) => r.route === "each-slow"), { event: "ws", route: "each-slow", read: 100, overlapping: 0, closed: { code: 1000, reason: "" } });
      } else {
        const closed = await slow.closed;
        if (host === "deno" && closed.code === 1006) assert.equal(closed.reason, "");
        else assert.deepEqual(closed, { code: 1008, reason: "Too many unread messages" });
        await eventually("the slow callback's report", () => reports(served).some((r) => r.route === "each-slow"), () => served.output);
        const report = reports(served).find((r) => r.route === "each-slow")!;
        assert.ok((report.read as number) < 100, `read ${report.read as number}`);
        assert.equal(report.overlapping, 0);
      }

      // A callback that throws, or returns a promise that rejects: 1011, as a loop's error.
      for (const failure of ["throw", "reject"]) {
        const failing = await open(`${base}/each-fails`);
        failing.ws.send("first");
        assert.equal(await failing.next(), "ok: first");
        failing.ws.send(failure);
        assert.deepEqual(await failing.closed, { code: 1011, reason: "Internal Server Error" });
      }

      // Mixed with a loop, receive() or a second forEach(): each refused, the first one reads on.
      const mixed = await open(`${base}/each-mixed`);
      assert.deepEqual(JSON.parse(String(await mixed.next())), [
        "forEach() is already reading this WebSocket's messages: a for await loop cannot read them too",
        "forEach() is already reading this WebSocket's messages: receive() cannot read them too",
        "Another forEach() is already reading this WebSocket's messages",
      ]);
      mixed.ws.close(1000);
      assert.equal((await mixed.closed).code, 1000);

      served.child.kill("SIGTERM");
      assert.equal((await served.exited()).code, 0);
    } finally {
      served.kill();
    }
  });
}
