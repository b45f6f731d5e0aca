// A route whose response model is its JSON body's own schema sends back the body it accepted
// without asking the model again (body/json-echo.ts), and whatever the handler changed is
// validated as before: these tests hold both halves.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { z } from "zod";
import { Spry, body } from "spry";
import { compileSameJson } from "../../src/framework/body/json-echo.ts";
import { recordingLogger } from "../support/logger.ts";
import { forEachTransport } from "../support/transports.ts";

const Item = z.object({
  id: z.int(),
  name: z.string().trim(),
  tags: z.array(z.string()),
  address: z.object({ city: z.string() }),
  nickname: z.string().nullable(),
  role: z.enum(["admin", "user"]),
  size: z.int().default(1),
});
type ItemOut = z.output<typeof Item>;
const ITEM = { id: 1, name: "Ada", tags: ["a"], address: { city: "London" }, nickname: null, role: "admin", size: 2 };

// A zod schema that counts how often it is asked, with zod's own JSON Schema.
function counted<S extends StandardSchemaV1>(schema: S): S & { calls: number } {
  const standard = schema["~standard"];
  const wrapped = {
    calls: 0,
    "~standard": {
      ...standard,
      validate: (value: unknown) => {
        wrapped.calls++;
        return standard.validate(value);
      },
    },
  };
  return wrapped as unknown as S & { calls: number };
}

forEachTransport("a body sent back through its own model", (connect) => {
  const logger = recordingLogger();
  const app = new Spry({ logger });
  const Counted = counted(Item);
  app.post("/echo", { item: Counted }, ({ item }) => item, { response: Counted });
  app.post("/items", { item: Item }, ({ item }) => item, { response: Item });
  app.post("/broken", { item: Item }, ({ item }) => {
    (item as { id: unknown }).id = "seven";
    return item;
  }, { response: Item });
  app.post("/unsized", { item: Item }, ({ item }) => {
    delete (item as Partial<ItemOut>).size;
    return item;
  }, { response: Item });
  app.post("/grown", { item: Item }, ({ item }) => Object.assign(item, { secret: "x" }), { response: Item });
  const Strict = z.strictObject({ name: z.string() });
  app.post("/strict", { item: Strict }, ({ item }) => Object.assign(item, { secret: "x" }), { response: Strict });
  app.post("/embedded", { item: Item, note: body(z.string()) }, ({ item }) => item, { response: Item });
  const client = connect(app);

  test("the body the model accepted goes back as it came, and the model is asked once", async () => {
    Counted.calls = 0;
    const res = await client.post("/echo", { json: { ...ITEM, extra: true } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), ITEM);
    assert.equal(Counted.calls, 1);
  });

  test("a body the model changed (a default filled in, a string trimmed) is validated again, and sent as the model gives it", async () => {
    Counted.calls = 0;
    const { size: _, ...unsized } = ITEM;
    const res = await client.post("/echo", { json: { ...unsized, name: "  Ada " } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ...ITEM, size: 1 });
    assert.equal(Counted.calls, 2);
  });

  test("a body converted on the way in (a numeric string) is validated again on the way out", async () => {
    Counted.calls = 0;
    const res = await client.post("/echo", { json: { ...ITEM, id: "1" } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), ITEM);
    assert.equal(Counted.calls, 2);
  });

  test("a handler that broke the object it was given gets a 500, never the broken value", async () => {
    logger.entries.length = 0;
    const res = await client.post("/broken", { json: ITEM });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { detail: "Internal Server Error" });
    assert.match(String(logger.entries.find((e) => e.level === "error")?.fields.err), /id/);
  });

  test("a field the handler removed is the model's default again; a key it added is stripped", async () => {
    const unsized = await client.post("/unsized", { json: ITEM });
    assert.deepEqual(await unsized.json(), { ...ITEM, size: 1 });
    const grown = await client.post("/grown", { json: ITEM });
    assert.equal(grown.status, 200);
    assert.deepEqual(await grown.json(), ITEM);
  });

  test("a model that refuses undeclared keys still refuses one the handler added", async () => {
    const res = await client.post("/strict", { json: { name: "Ada" } });
    assert.equal(res.status, 500);
  });

  test("an embedded body input and an unchanged plain echo answer as before", async () => {
    const embedded = await client.post("/embedded", { json: { item: ITEM, note: "n" } });
    assert.equal(embedded.status, 200);
    assert.deepEqual(await embedded.json(), ITEM);
    const plain = await client.post("/items", { json: ITEM });
    assert.deepEqual(await plain.json(), ITEM);
  });
});

test("compileSameJson compares what the model's output schema describes, and takes only models it can compare in full", () => {
  const same = compileSameJson(Item)!;
  assert.ok(same);
  const copy = () => structuredClone(ITEM);
  assert.equal(same(copy(), copy()), true);
  assert.equal(same({ ...copy(), extra: 1 }, copy()), true);
  assert.equal(same({ ...copy(), tags: ["a", "b"] }, copy()), false);
  assert.equal(same({ ...copy(), tags: [] }, copy()), false);
  assert.equal(same({ ...copy(), address: { city: "Paris" } }, copy()), false);
  assert.equal(same({ ...copy(), address: null }, copy()), false);
  assert.equal(same({ ...copy(), nickname: "x" }, copy()), false);
  assert.equal(same({ ...copy(), nickname: undefined }, copy()), false);
  assert.equal(same({ ...copy(), id: "1" }, copy()), false);
  assert.equal(same([], copy()), false);
  assert.equal(same(null, copy()), false);

  const Tree: z.ZodType<{ name: string; kids: unknown[] }> = z.object({ name: z.string(), get kids() {
    return z.array(Tree);
  } });
  const tree = compileSameJson(Tree)!;
  assert.equal(tree({ name: "a", kids: [{ name: "b", kids: [] }] }, { name: "a", kids: [{ name: "b", kids: [] }] }), true);
  assert.equal(tree({ name: "a", kids: [{ name: "c", kids: [] }] }, { name: "a", kids: [{ name: "b", kids: [] }] }), false);

  for (const model of [
    z.strictObject({ a: z.string() }),
    z.looseObject({ a: z.string() }),
    z.object({ a: z.record(z.string(), z.string()) }),
    z.object({ a: z.date() }),
    z.object({ a: z.unknown() }),
    z.object({ a: z.union([z.object({ b: z.string() }), z.object({ c: z.string() })]) }),
    z.object({ a: z.string().transform((s) => s.length) }),
  ]) {
    assert.equal(compileSameJson(model), undefined, JSON.stringify(model.def.shape));
  }
});

test("where the host forbids generating code, the generated checks give way to the plain path", () => {
  // A Content-Security-Policy or --disallow-code-generation-from-strings: compileSameJson (and
  // the json-unchanged.ts check, through the same class) answers undefined, so every response is
  // validated and every body converted, as without them.
  const here = new URL("../../src/framework/body/", import.meta.url);
  const script = `
    const { compileSameJson } = await import(${JSON.stringify(new URL("json-echo.ts", here).href)});
    const { GeneratedFunctions } = await import(${JSON.stringify(new URL("generated-functions.ts", here).href)});
    const { z } = await import("zod");
    const source = new GeneratedFunctions("v");
    const check = source.add("return v === 1;");
    console.log(JSON.stringify([compileSameJson(z.object({ id: z.int() })) === undefined, source.compile(check) === undefined]));
  `;
  const run = (flags: string[]) => JSON.parse(execFileSync(process.execPath, [...flags, "--input-type=module", "-e", script], { encoding: "utf8" })) as boolean[];
  assert.deepEqual(run(["--disallow-code-generation-from-strings"]), [true, true]);
  assert.deepEqual(run([]), [false, false], "and where it may, they are made");
});
