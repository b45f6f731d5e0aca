import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { eventStream, header, jsonLines, ServerSentEvent, Spry } from "spry";
import { compress } from "spry/middleware";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

const Item = z.object({ name: z.string(), price: z.number() });

forEachTransport("streaming responses", (connect) => {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  app.use(compress({ minimumSize: 1 }));
  app.get("/items.jsonl", async function* () {
    yield { name: "Plumbus", price: 3 };
    yield { name: "Portal Gun", price: 999.5, secret: "stripped?" };
  });
  app.get("/checked.jsonl", async function* () {
    yield { name: "Plumbus", price: 3, secret: "never sent" };
    yield { name: "Broken", price: "not a number" as unknown as number };
    yield { name: "never reached", price: 1 };
  }, { response: Item });
  app.get("/failing.jsonl", async function* () {
    yield { ok: 1 };
    throw new Error("the database went away");
  });
  app.get("/events", async function* () {
    yield { name: "Plumbus", price: 3 };
    yield new ServerSentEvent({ event: "price", data: { name: "Gun", price: 9, extra: true }, id: 7, retry: 2500 });
    yield new ServerSentEvent({ rawData: "line one\nline two", comment: "two lines of text" });
    yield new ServerSentEvent({ comment: "just a comment" });
  }, { stream: "sse", response: Item });
  app.get("/resume", { last_event_id: header(z.coerce.number().int().optional()) }, async function* ({ last_event_id }) {
    const from = (last_event_id ?? 0) + 1;
    for (let id = from; id < from + 2; id++) yield new ServerSentEvent({ id, data: { id } });
  }, { stream: "sse" });
  app.get("/helper-events", () => eventStream(["a", { b: 1 }], { headers: { "x-extra": "1" } }));
  app.get("/helper-lines", () => jsonLines([1, "two", { three: 3 }]));
  const client = connect(app);

  test("an async generator handler streams JSON Lines", async () => {
    const res = await client.get("/items.jsonl");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/jsonl");
    assert.equal(await res.text(), '{"name":"Plumbus","price":3}\n{"name":"Portal Gun","price":999.5,"secret":"stripped?"}\n');
  });

  test("with a model each item is checked and stripped; a failing item ends the stream after the last whole line, logged", async () => {
    const res = await client.get("/checked.jsonl");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"name":"Plumbus","price":3}\n');
    const logged = logger.entries.filter((e) => e.level === "error" && e.fields.route === "GET /checked.jsonl");
    assert.equal(logged.length, 1);
    assert.match(String((logged[0]!.fields.err as Error).message), /does not match its declared model: price/);
  });

  test("a generator that throws: the lines before it, then the end, logged with the route", async () => {
    const res = await client.get("/failing.jsonl");
    assert.equal(await res.text(), '{"ok":1}\n');
    assert.ok(logger.entries.some((e) => e.level === "error" && e.fields.route === "GET /failing.jsonl" && (e.fields.err as Error).message === "the database went away"));
  });

  test("stream: \"sse\": events with data as JSON, fields, raw text, comments; the headers; never compressed", async () => {
    const res = await client.get("/events", { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.equal(res.headers.get("x-accel-buffering"), "no");
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(
      await res.text(),
      'data: {"name":"Plumbus","price":3}\n\n' +
        'event: price\nid: 7\nretry: 2500\ndata: {"name":"Gun","price":9}\n\n' +
        ": two lines of text\ndata: line one\ndata: line two\n\n" +
        ": just a comment\n\n",
    );
  });

  test("Last-Event-ID is a declared header like any other", async () => {
    assert.equal(await (await client.get("/resume")).text(), 'id: 1\ndata: {"id":1}\n\nid: 2\ndata: {"id":2}\n\n');
    const resumed = await client.get("/resume", { headers: { "last-event-id": "41" } });
    assert.equal(await resumed.text(), 'id: 42\ndata: {"id":42}\n\nid: 43\ndata: {"id":43}\n\n');
    const bad = await client.get("/resume", { headers: { "last-event-id": "x" } });
    assert.equal(bad.status, 422);
    assert.deepEqual((await bad.json()).detail[0].loc, ["header", "last-event-id"]);
  });

  test("eventStream() and jsonLines() make Responses from any iterable", async () => {
    const events = await client.get("/helper-events");
    assert.equal(events.headers.get("x-extra"), "1");
    assert.equal(await events.text(), 'data: "a"\n\ndata: {"b":1}\n\n');
    assert.equal(await (await client.get("/helper-lines")).text(), '1\n"two"\n{"three":3}\n');
  });
});

test("OpenAPI documents both streams with the item's schema, as FastAPI does", () => {
  const app = new Spry({ logger: false });
  app.get("/items.jsonl", async function* () {
    yield { name: "x", price: 1 };
  }, { response: Item });
  app.get("/events", async function* () {
    yield { name: "x", price: 1 };
  }, { stream: "sse", response: Item });
  app.get("/untyped", async function* () {
    yield 1;
  });
  const paths = app.openapi().paths;
  const jsonl = paths["/items.jsonl"]!.get.responses["200"].content;
  assert.deepEqual(Object.keys(jsonl), ["application/jsonl"]);
  assert.equal(jsonl["application/jsonl"].itemSchema.type, "object");
  assert.deepEqual(Object.keys(jsonl["application/jsonl"].itemSchema.properties), ["name", "price"]);
  const sse = paths["/events"]!.get.responses["200"].content["text/event-stream"].itemSchema;
  assert.deepEqual(sse.required, ["data"]);
  assert.equal(sse.properties.data.contentMediaType, "application/json");
  assert.deepEqual(Object.keys(sse.properties.data.contentSchema.properties), ["name", "price"]);
  assert.deepEqual(sse.properties.retry, { type: "integer", minimum: 0 });
  assert.deepEqual(paths["/untyped"]!.get.responses["200"].content, { "application/jsonl": { itemSchema: {} } });
});

test("a ServerSentEvent refuses fields that would break the stream", () => {
  assert.throws(() => new ServerSentEvent({ event: "a\nb" }), /line break/);
  assert.throws(() => new ServerSentEvent({ id: "1\r\ndata: forged" }), /line break/);
  assert.throws(() => new ServerSentEvent({ retry: -1 }), /whole number/);
  assert.throws(() => new ServerSentEvent({ data: 1, rawData: "1" }), /not both/);
});
