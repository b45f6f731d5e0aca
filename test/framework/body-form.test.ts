import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry, form } from "spry";
import { multipart } from "../support/multipart.ts";
import { forEachTransport } from "../support/transports.ts";

const urlencoded = { "content-type": "application/x-www-form-urlencoded" };

const Login = z.object({ username: z.string(), age: z.int().optional(), remember: z.boolean().default(false), tags: z.array(z.string()).default([]) });

function app(): Spry {
  const app = new Spry({ logger: false });
  app.post("/fields", { name: form(z.string()), count: form(z.int()), on: form(z.boolean().default(false)), note: form(z.string().optional()) }, (inputs) => inputs);
  app.post("/ids", { ids: form(z.array(z.int())) }, ({ ids }) => ids);
  app.post("/login", { data: form(Login) }, ({ data }) => data);
  app.post("/strict", { data: form(z.strictObject({ username: z.string() })) }, ({ data }) => data);
  app.post("/few", { a: form(z.string().optional()) }, ({ a }) => a ?? null);
  return app;
}

forEachTransport("urlencoded and multipart form fields", (connect) => {
  const client = connect(app());
  const post = (path: string, text: string) => client.post(path, { body: text, headers: urlencoded });

  test("scalars are converted by their declared types", async () => {
    const res = await post("/fields", "name=Ada+Lovelace&count=3&on=yes");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: "Ada Lovelace", count: 3, on: true });
  });

  test("a repeated field is a list; a scalar given twice takes the last value", async () => {
    assert.deepEqual(await (await post("/ids", "ids=1&ids=2&ids=3")).json(), [1, 2, 3]);
    assert.deepEqual(await (await post("/fields", "name=a&name=b&count=1")).json(), { name: "b", count: 1, on: false });
  });

  test("conversion errors and missing fields are located at [body, field]", async () => {
    const res = await post("/fields", "count=x&on=maybe");
    assert.equal(res.status, 422);
    assert.deepEqual((await res.json()).detail, [
      { type: "int_parsing", loc: ["body", "count"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "x" },
      { type: "bool_parsing", loc: ["body", "on"], msg: "Input should be a valid boolean, unable to interpret input", input: "maybe" },
      { type: "missing", loc: ["body", "name"], msg: "Field required", input: null },
    ]);
    const list = await post("/ids", "ids=1&ids=two");
    assert.deepEqual((await list.json()).detail, [
      { type: "int_parsing", loc: ["body", "ids", 1], msg: "Input should be a valid integer, unable to parse string as an integer", input: "two" },
    ]);
  });

  test("the same fields from a multipart body", async () => {
    const res = await client.post("/fields", multipart([{ name: "name", value: "Ada" }, { name: "count", value: "7" }, { name: "note", value: "héllo" }]));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: "Ada", count: 7, on: false, note: "héllo" });
    const bad = await client.post("/ids", multipart([{ name: "ids", value: "1" }, { name: "ids", value: "x" }]));
    assert.deepEqual((await bad.json()).detail.map((e: { loc: unknown[] }) => e.loc), [["body", "ids", 1]]);
  });

  test("a field sent empty counts as not sent, as in FastAPI: the default applies", async () => {
    assert.deepEqual(await (await post("/fields", "name=a&count=1&on=&note=")).json(), { name: "a", count: 1, on: false });
    const empty = await post("/fields", "name=&count=1");
    assert.deepEqual((await empty.json()).detail, [{ type: "missing", loc: ["body", "name"], msg: "Field required", input: null }]);
    assert.deepEqual(await (await post("/login", "username=ada&age=&remember=")).json(), { username: "ada", remember: false, tags: [] });
  });

  test("a form model reads each property from its own field, converted, defaults applied", async () => {
    assert.deepEqual(await (await post("/login", "username=ada&age=36&remember=on&tags=a&tags=b")).json(), {
      username: "ada", age: 36, remember: true, tags: ["a", "b"],
    });
    assert.deepEqual(await (await post("/login", "username=ada&unknown=1")).json(), { username: "ada", remember: false, tags: [] });
    const fromMultipart = await client.post("/login", multipart([{ name: "username", value: "bob" }, { name: "remember", value: "true" }]));
    assert.deepEqual(await fromMultipart.json(), { username: "bob", remember: true, tags: [] });
  });

  test("a form model's errors point at its fields, as FastAPI's do", async () => {
    const bad = await post("/login", "age=old&tags=a");
    assert.equal(bad.status, 422);
    assert.deepEqual((await bad.json()).detail, [
      { type: "int_parsing", loc: ["body", "age"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "old" },
      { type: "missing", loc: ["body", "username"], msg: "Field required", input: { tags: ["a"] } },
    ]);
    const missing = await post("/login", "age=3");
    assert.deepEqual((await missing.json()).detail, [{ type: "missing", loc: ["body", "username"], msg: "Field required", input: { age: 3 } }]);
  });

  test("a model that forbids extra fields sees them and refuses them", async () => {
    assert.equal((await post("/strict", "username=ada")).status, 200);
    const extra = await post("/strict", "username=ada&admin=1");
    assert.equal(extra.status, 422);
  });

  test("an empty body is a form without fields", async () => {
    assert.equal(await (await post("/few", "")).json(), null);
    assert.equal(await (await client.post("/few", { body: "", headers: multipart([]).headers })).json(), null);
  });

  test("neither form type: 415; bad percent-encoding: 400", async () => {
    assert.equal((await client.post("/few", { json: { a: "x" } })).status, 415);
    assert.equal((await client.post("/few", { body: "a=b", headers: { "content-type": "text/plain" } })).status, 415);
    assert.equal((await post("/few", "a=%zz")).status, 400);
  });

  test("more urlencoded fields than the limit: 413; the limit is the app's to set", async () => {
    const many = await post("/few", "a=&".repeat(10_000));
    assert.equal(many.status, 413);
    assert.match((await many.json()).detail, /Too many form fields \(limit 1000\)/);
    assert.equal(await (await post("/few", "a=1&".repeat(999) + "a=2")).json(), "2");
    const small = new Spry({ logger: false, limits: { maxFormFields: 3 } });
    small.post("/f", { a: form(z.array(z.string())) }, ({ a }) => a.length);
    const smallClient = connect(small);
    assert.equal(await (await smallClient.post("/f", { body: "a=1&a=2&a=3", headers: urlencoded })).json(), 3);
    assert.equal((await smallClient.post("/f", { body: "a=1&a=2&a=3&a=4", headers: urlencoded })).status, 413);
    assert.equal((await smallClient.post("/f", multipart(["1", "2", "3", "4"].map((value) => ({ name: "a", value }))))).status, 413);
  });
});
