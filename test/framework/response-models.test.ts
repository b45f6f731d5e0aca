import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { Spry, json } from "spry";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

const UserOut = z.object({
  id: z.int(),
  name: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.enum(["admin", "user"])),
  address: z.object({ city: z.string() }).optional(),
});
const Message = z.object({ message: z.string() });
const users = new Map([[1, { id: 1, name: "Ada", email: null, roles: ["admin" as const], password_hash: "secret", address: { city: "London", secret: "x" } }]]);

forEachTransport("response models", (connect) => {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  app.get("/users/{id}", { id: z.int() }, ({ id }) => users.get(id) ?? json({ message: "User not found" }, { status: 404, headers: { "x-why": "gone" } }), {
    response: UserOut,
    responses: { 404: { model: Message, description: "No such user" } },
  });
  // Cast: the types already refuse this handler; the test is what happens at run time.
  app.get("/broken", () => ({ id: "not a number", name: "x", email: null, roles: [] }) as unknown as z.input<typeof UserOut>, { response: UserOut });
  app.get("/broken-404", () => json({ wrong: true }, { status: 404 }), { response: UserOut, responses: { 404: { model: Message } } });
  app.post("/created", () => ({ message: "made", extra: 1 }), { status: 201, response: Message });
  app.delete("/gone", () => undefined, { status: 204 });
  app.get("/dates", () => ({ at: new Date(0) }), { response: z.object({ at: z.date() }) });
  app.get("/async-model", () => ({ name: "ok" }), { response: z.object({ name: z.string().refine(async (n) => n === "ok") }) });
  app.get("/no-model", () => ({ anything: [1, "two"] }));
  app.get("/unmodelled-status", () => json({ free: "form" }, { status: 202 }), { response: Message });
  const client = connect(app);

  test("the returned value is stripped to the model's fields, nested too", async () => {
    const res = await client.get("/users/1");
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.doesNotMatch(text, /secret/);
    assert.deepEqual(JSON.parse(text), { id: 1, name: "Ada", email: null, roles: ["admin"], address: { city: "London" } });
    assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
  });

  test("json(value, { status, headers }) answers with that status, validated by its model", async () => {
    const res = await client.get("/users/2");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("x-why"), "gone");
    assert.deepEqual(await res.json(), { message: "User not found" });
  });

  test("a value that does not match its model is a 500, logged with the route, never sent", async () => {
    for (const path of ["/broken", "/broken-404"]) {
      logger.entries.length = 0;
      const res = await client.get(path);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
      const errors = logger.entries.filter((e) => e.level === "error");
      assert.equal(errors.length, 1, path);
      assert.equal(errors[0]!.fields.route, `GET ${path}`);
      assert.match(String((errors[0]!.fields.err as Error).message), /does not match its declared model/);
    }
  });

  test("the route's status applies to the modelled response", async () => {
    const res = await client.post("/created");
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { message: "made" });
  });

  test("204 sends no body", async () => {
    const res = await client.delete("/gone");
    assert.equal(res.status, 204);
    assert.equal(await res.text(), "");
  });

  test("models without a JSON Schema form still validate, and serialize with JSON.stringify", async () => {
    assert.deepEqual(await (await client.get("/dates")).json(), { at: "1970-01-01T00:00:00.000Z" });
  });

  test("asynchronous response models are awaited", async () => {
    assert.deepEqual(await (await client.get("/async-model")).json(), { name: "ok" });
  });

  test("without a model, any JSON value is sent as it is", async () => {
    assert.deepEqual(await (await client.get("/no-model")).json(), { anything: [1, "two"] });
  });

  test("a status with no model of its own is sent unvalidated", async () => {
    const res = await client.get("/unmodelled-status");
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { free: "form" });
  });
});
