// The generated OpenAPI documents, of the seed app and of an app that uses every feature of
// the generator, judged by real tools rather than by our own reading of the spec: the
// official OpenAPI 3.1 JSON Schema (through @seriousme/openapi-schema-validator), Redocly's
// linter, and Ajv for the JSON Schema 2020-12 inside. Then the documents are held to what the
// app really sends: each response body must match the schema the document gives it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { Spry, body } from "spry";
import { TestClient } from "spry/testing";
import { SchemaChecker, describeProblems, officialSchemaErrors, redoclyProblems, responseSchema, type Document } from "./openapi-tools.ts";
import { richApp } from "./rich-app.ts";

// Read once, when the seed module loads: short, so the conformance requests below are quick.
process.env.SLOW_TASK_SECONDS = "0.05";
const { default: seedApp } = await import("../../examples/seed/main.ts");

const apps: [string, () => Spry][] = [
  ["the seed app", () => seedApp],
  ["the rich app", richApp],
];

for (const [name, make] of apps) {
  describe(`${name}'s OpenAPI document`, () => {
    const document = make().openapi() as Document;

    test("is valid against the official OpenAPI 3.1 schema", async () => {
      const result = await officialSchemaErrors(document);
      assert.equal(result.valid, true, `OpenAPI schema errors:\n${JSON.stringify(result.errors, null, 2)}`);
      assert.equal(result.version, "3.1");
    });

    test("has no problem under Redocly's correctness rules", async () => {
      const problems = await redoclyProblems(document);
      assert.equal(problems.length, 0, `Redocly found:\n${describeProblems(problems)}`);
    });

    test("holds only valid JSON Schema 2020-12 whose every $ref resolves", () => {
      const checker = new SchemaChecker(document);
      const schemas = SchemaChecker.schemasOf(document);
      assert.ok(schemas.length > 0);
      const failures: string[] = [];
      for (const { where, schema } of schemas) {
        try {
          checker.compile(schema);
        } catch (error) {
          failures.push(`${where}: ${(error as Error).message}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}

describe("the tools are not vacuous", () => {
  // A check that cannot fail proves nothing: each tool must refuse a document broken on purpose.
  const broken = (mutate: (document: any) => void): Document => {
    const document = structuredClone(richApp().openapi()) as Document;
    mutate(document);
    return document;
  };

  test("the OpenAPI schema refuses a parameter in an unknown location", async () => {
    const result = await officialSchemaErrors(broken((d) => (d.paths["/items/{item_id}"].get.parameters[1].in = "body")));
    assert.equal(result.valid, false);
  });

  test("Redocly refuses a path parameter the template does not have, and a dangling $ref", async () => {
    const problems = await redoclyProblems(broken((d) => {
      d.paths["/items/{item_id}"].get.parameters[0].name = "id";
      d.paths["/items/"].post.requestBody.content["application/json"].schema.$ref = "#/components/schemas/Nowhere";
    }));
    const rules = new Set(problems.map((p) => p.ruleId));
    assert.ok(rules.has("path-parameters-defined"), describeProblems(problems));
    assert.ok(rules.has("no-unresolved-refs"), describeProblems(problems));
  });

  test("Ajv refuses a dangling $ref and a misspelt keyword", () => {
    const document = broken(() => {});
    const checker = new SchemaChecker(document);
    assert.throws(() => checker.compile({ $ref: "#/components/schemas/Nowhere" }));
    assert.throws(() => checker.compile({ type: "string", maxLenght: 3 }));
  });
});

describe("the rich app's document covers what the validators were meant to see", () => {
  // Guards the fixture: if a feature stopped appearing in the document, the validation above
  // would pass without having looked at it.
  const document = richApp().openapi() as Document;
  const schemas = (document.components as { schemas: Record<string, any> }).schemas;

  test("parameters in the path, query, header and cookie", () => {
    const locations = new Set(document.paths["/items/{item_id}"]!.get.parameters.map((p: { in: string }) => p.in));
    assert.deepEqual([...locations].sort(), ["cookie", "header", "path", "query"]);
  });

  test("named models as components, Item nested in Order by $ref, embedded and form bodies", () => {
    assert.deepEqual(schemas["Order-Input"].properties.items.items, { $ref: "#/components/schemas/Item-Input" });
    assert.deepEqual(schemas["Item-Input"].properties.tags.items, { $ref: "#/components/schemas/Tag-Input" });
    assert.deepEqual(Object.keys(document.paths["/items/{item_id}"]!.put.requestBody.content["application/json"].schema.properties), ["item", "importance"]);
    assert.deepEqual(document.paths["/orders/"]!.post.requestBody.content["application/json"].schema.required, ["order"]);
    assert.ok(document.paths["/login"]!.post.requestBody.content["application/x-www-form-urlencoded"]);
  });

  test("response models per status, a bodiless 204, tags, deprecated, a hidden route, a prefixed router", () => {
    assert.deepEqual(document.paths["/items/{item_id}"]!.get.responses["404"].content["application/json"].schema, { $ref: "#/components/schemas/Message" });
    assert.deepEqual(document.paths["/items/{item_id}"]!.delete.responses["204"], { description: "Successful Response" });
    assert.deepEqual(document.paths["/v1/users/{user_id}"]!.get.tags, ["users"]);
    assert.equal(document.paths["/legacy/items"]!.get.deprecated, true);
    assert.equal(document.paths["/internal/metrics"], undefined);
  });
});

describe("what the apps send matches the documents", () => {
  async function assertMatches(app: Spry, response: Response, path: string, method: string): Promise<void> {
    const document = app.openapi() as Document;
    const validate = new SchemaChecker(document).compile(responseSchema(document, path, method, response.status));
    const body: unknown = await response.json();
    assert.ok(validate(body), `${method.toUpperCase()} ${path} ${response.status}: ${JSON.stringify(body)} does not match: ${JSON.stringify(validate.errors)}`);
  }

  test("the seed app", async () => {
    const client = new TestClient(seedApp);
    await assertMatches(seedApp, await client.get("/slow_task/42", { query: { q: "test" } }), "/slow_task/{item_id}", "get");
    await assertMatches(seedApp, await client.get("/slow_task/abc"), "/slow_task/{item_id}", "get");
    await assertMatches(seedApp, await client.get("/fast_task/"), "/fast_task/", "get");
  });

  test("the rich app: models, a per-status model, the 422 body", async () => {
    const app = richApp();
    const client = new TestClient(app);
    const found = await client.get("/items/1", { headers: { "x-token": "t" } });
    assert.equal(found.status, 200);
    await assertMatches(app, found, "/items/{item_id}", "get");
    const missing = await client.get("/items/99", { headers: { "x-token": "t" } });
    assert.equal(missing.status, 404);
    await assertMatches(app, missing, "/items/{item_id}", "get");
    const invalid = await client.get("/items/abc");
    assert.equal(invalid.status, 422);
    await assertMatches(app, invalid, "/items/{item_id}", "get");
    const order = { order_id: 7, items: [{ name: "Nail", price: 0.1, tags: [{ name: "small" }] }] };
    const created = await client.post("/orders/", { json: { order } });
    assert.equal(created.status, 200);
    await assertMatches(app, created, "/orders/", "post");
    const item = await client.post("/items/", { json: { name: "Saw", price: 20 } });
    assert.equal(item.status, 201);
    await assertMatches(app, item, "/items/", "post");
  });
});

describe("models that differ only through the models they refer to", () => {
  // Found by these tools: a named union whose members' input and output forms differ must itself
  // be split into Name-Input and Name-Output, so that the response refers to the output forms.
  test("a named union of models refers to its members' output forms in a response", async () => {
    const Cat = z.object({ kind: z.literal("cat"), meows: z.boolean() }).meta({ id: "Cat" });
    const Dog = z.object({ kind: z.literal("dog"), barks: z.boolean() }).meta({ id: "Dog" });
    const Pet = z.discriminatedUnion("kind", [Cat, Dog]).meta({ id: "Pet" });
    const app = new Spry({ logger: false });
    app.post("/pets", { pet: body(Pet) }, ({ pet }) => pet, { response: Pet });
    const document = app.openapi() as Document;
    const schemas = (document.components as { schemas: Record<string, any> }).schemas;
    const ref = (responseSchema(document, "/pets", "post", 200) as { $ref: string }).$ref;
    const members = schemas[ref.slice("#/components/schemas/".length)].oneOf.map((m: { $ref: string }) => m.$ref);
    assert.deepEqual(members, ["#/components/schemas/Cat-Output", "#/components/schemas/Dog-Output"]);
    const problems = await redoclyProblems(document);
    assert.equal(problems.length, 0, describeProblems(problems));
  });
});
