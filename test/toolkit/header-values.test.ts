// docs/reliability.md row 36: a header value is text, sent as UTF-8 by every API that sets
// headers, on both paths; only control characters, which could split a response, are refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { HTTPException, Spry } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { TestServer } from "../support/server.ts";

const logger = recordingLogger();
const app = new Spry({ logger });
const VALUES: Record<string, string> = { latin1: "café", lineSeparator: "a\u2028b", astral: "x\u{E09DB}y", emoji: "ok 👍" };
app.get("/set/{name}", (_i, ctx) => {
  ctx.setHeader("x-value", VALUES[ctx.params.name!]!);
  return { ok: true };
});
app.get("/raise/{name}", (_i, ctx) => {
  throw new HTTPException(418, "teapot", { "x-value": VALUES[ctx.params.name!]! });
});
app.get("/response", () => new Response("ok", { headers: { "x-value": "café" } }));
app.get("/stream", (_i, ctx) => {
  ctx.setHeader("x-value", "naïve");
  return new Response(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode("s")), c.close()) }));
});
app.get("/split", (_i, ctx) => {
  ctx.setHeader("x-value", String(ctx.query.v));
  return { ok: true };
});

// A string body beside a head plain or encoded (node-writer.ts writes an ASCII body as latin1, any other as UTF-8).
const BODIES: Record<string, { text: string }> = { ascii: { text: "plain" }, latin1: { text: "café" }, wide: { text: "€ 👍" } };
app.get("/body/{name}", (_i, ctx) => {
  if (ctx.query.head !== undefined) ctx.setHeader("x-value", "café");
  return BODIES[ctx.params.name!]!;
});

let srv: TestServer;
before(async () => {
  srv = await TestServer.start(app);
});
after(() => srv.close());

/** The bytes of the x-value header line as they went over the wire (node path). */
async function wireBytes(path: string): Promise<{ status: number; value: Buffer | undefined }> {
  const { response } = await srv.send(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  const raw = response.headers["x-value"];
  return { status: response.status, value: raw === undefined ? undefined : Buffer.from(raw, "latin1") };
}

/** The same through the Fetch path: Headers hold one character per byte. */
async function fetchBytes(path: string): Promise<{ status: number; value: Buffer | undefined }> {
  const response = await app.fetch(new Request(`http://x${path}`));
  const raw = response.headers.get("x-value");
  return { status: response.status, value: raw === null ? undefined : Buffer.from(raw, "latin1") };
}

describe("row 36: header values are UTF-8 on every API and both paths", () => {
  for (const [name, text] of Object.entries(VALUES)) {
    for (const [route, status] of [["set", 200], ["raise", 418]] as const) {
      test(`${route === "set" ? "ctx.setHeader" : "HTTPException headers"}: ${JSON.stringify(text)}`, async () => {
        for (const read of [wireBytes, fetchBytes]) {
          const { status: got, value } = await read(`/${route}/${name}`);
          assert.equal(got, status);
          assert.deepEqual(value, Buffer.from(text, "utf8"));
        }
      });
    }
  }

  test("a Response's headers and a streamed response's: the same rule", async () => {
    for (const read of [wireBytes, fetchBytes]) {
      assert.deepEqual((await read("/response")).value, Buffer.from("café", "utf8"));
      assert.deepEqual((await read("/stream")).value, Buffer.from("naïve", "utf8"));
    }
  });

  test("a string body goes out as its UTF-8 bytes, framed by their count, beside a plain head or an encoded one", async () => {
    for (const name of Object.keys(BODIES)) {
      for (const query of ["", "?head"]) {
        const { response } = await srv.send(`GET /body/${name}${query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        const expected = Buffer.from(JSON.stringify(BODIES[name]), "utf8");
        assert.equal(response.status, 200);
        assert.deepEqual(Buffer.from(response.body, "latin1"), expected, `${name}${query}`);
        assert.equal(response.headers["content-length"], String(expected.length));
        if (query !== "") assert.deepEqual(Buffer.from(response.headers["x-value"] as string, "latin1"), Buffer.from("café", "utf8"));
      }
    }
  });

  test("CR, LF, NUL and the other control characters are refused with a clear error; the response is never split", async () => {
    for (const v of ["a%0D%0ASet-Cookie:%20x=1", "a%00b", "a%1Bb", "a%7Fb"]) {
      logger.entries.length = 0;
      const { response, connection } = await srv.send(`GET /split?v=${v} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(response.status, 500);
      assert.equal(response.headers["set-cookie"], undefined);
      await connection.closedByServer();
      const error = logger.entries.find((e) => e.level === "error");
      assert.match(String((error?.fields.err as Error | undefined)?.message), /Refused to send the response header "x-value"/);
    }
    const tab = await srv.get("/split?v=a%09b");
    assert.equal(tab.status, 200, "a tab is allowed");
  });
});
