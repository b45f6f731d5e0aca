// Where strict mode applies: the app, the route, the model, a field; and where it does not.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as v from "valibot";
import { toStandardJsonSchema } from "@valibot/to-json-schema";
import { z } from "zod";
import { Spry, body } from "spry";
import { TestClient } from "spry/testing";

const Lax = z.object({ n: z.int() });
const Relaxed = z.object({ n: z.int() }).meta({ strict: false });
const intType = (loc: (string | number)[], input: unknown) => ({ type: "int_type", loc, msg: "Input should be a valid integer", input });

test("new Spry({ strict: true }) makes every body strict; a route's strict: false and a model's own setting win", async () => {
  const app = new Spry({ logger: false, strict: true });
  app.post("/app", { item: Lax }, ({ item }) => item);
  app.post("/route-lax", { item: Lax }, ({ item }) => item, { strict: false });
  app.post("/model-lax", { item: Relaxed }, ({ item }) => item);
  app.get("/query", { n: z.int() }, ({ n }) => n);
  const client = new TestClient(app);
  assert.deepEqual(await (await client.post("/app", { json: { n: "1" } })).json(), { detail: [intType(["body", "n"], "1")] });
  assert.deepEqual(await (await client.post("/route-lax", { json: { n: "1" } })).json(), { n: 1 });
  assert.deepEqual(await (await client.post("/model-lax", { json: { n: "1" } })).json(), { n: 1 });
  // URLs carry text only: strict mode is for JSON bodies.
  assert.deepEqual(await (await client.get("/query?n=1")).json(), 1);
});

test("a strict model's own fields are strict; a nested model that says nothing stays lax, as in pydantic", async () => {
  const app = new Spry({ logger: false });
  const Outer = z.object({ n: z.int(), inner: Lax, items: z.array(z.int()) }).meta({ strict: true });
  app.post("/outer", { outer: Outer }, ({ outer }) => outer);
  const client = new TestClient(app);
  const res = await client.post("/outer", { json: { n: "1", inner: { n: "2" }, items: [1, "3"] } });
  assert.deepEqual(await res.json(), { detail: [intType(["body", "n"], "1"), intType(["body", "items", 1], "3")] });
  assert.deepEqual(await (await client.post("/outer", { json: { n: 1, inner: { n: "2" }, items: [1] } })).json(), { n: 1, inner: { n: 2 }, items: [1] });
});

test("a strict field in a lax model, and a strict route's embedded single value", async () => {
  const app = new Spry({ logger: false });
  app.post("/field", { item: z.object({ a: z.int(), b: z.int().meta({ strict: true }) }) }, ({ item }) => item);
  app.post("/embedded", { item: Lax, count: body(z.int()) }, (inputs) => inputs, { strict: true });
  const client = new TestClient(app);
  assert.deepEqual(await (await client.post("/field", { json: { a: "1", b: "2" } })).json(), { detail: [intType(["body", "b"], "2")] });
  const res = await client.post("/embedded", { json: { item: { n: 1 }, count: "2" } });
  assert.deepEqual(await res.json(), { detail: [intType(["body", "count"], "2")] });
});

test("valibot: strict through v.metadata, and query parameters converted from its JSON Schema", async () => {
  const app = new Spry({ logger: false });
  const Model = toStandardJsonSchema(v.pipe(v.object({ n: v.pipe(v.number(), v.integer()) }), v.metadata({ strict: true })));
  app.post("/v", { item: Model }, ({ item }) => item);
  app.get("/vq", { n: toStandardJsonSchema(v.pipe(v.number(), v.integer())), ok: toStandardJsonSchema(v.boolean()) }, (inputs) => inputs);
  const client = new TestClient(app);
  assert.deepEqual(await (await client.post("/v", { json: { n: "1" } })).json(), { detail: [intType(["body", "n"], "1")] });
  assert.deepEqual(await (await client.get("/vq?n=12&ok=yes")).json(), { n: 12, ok: true });
  assert.deepEqual(await (await client.get("/vq?n=1.5&ok=yes")).json(), {
    detail: [{ type: "int_parsing", loc: ["query", "n"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "1.5" }],
  });
});
