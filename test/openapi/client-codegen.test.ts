// A client generated from the document must type-check the way the app behaves. openapi-typescript
// turns the documents into types; a small typed client uses them, including wrong uses marked
// `// @ts-expect-error`; then the project's own tsc, in strict mode, checks it all. A wrong use
// that compiled (a type that came out as `any`, a missing route, an optional required header)
// would leave its @ts-expect-error unused, which tsc reports as an error.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { generateTypes } from "spry-openapi-codegen";
import { richApp } from "./rich-app.ts";

process.env.SLOW_TASK_SECONDS = "0.05";
const { default: seedApp } = await import("../../examples/seed/main.ts");

const TSC = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
// Far above the second or two tsc takes here, even on a loaded machine; a hang fails, not stalls.
const TSC_TIMEOUT_MS = 120_000;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    allowImportingTsExtensions: true,
    lib: ["ES2022", "DOM"],
    types: [],
    skipLibCheck: false,
    noUnusedParameters: true,
  },
};

const HELPERS = `
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function expectType<T extends true>(): void;
`;

const SEED_CLIENT = `import type { paths } from "./seed-api.ts";
${HELPERS}
type SlowTask = paths["/slow_task/{item_id}"]["get"];

expectType<Equal<SlowTask["parameters"]["path"]["item_id"], number>>();
expectType<Equal<NonNullable<SlowTask["parameters"]["query"]>["q"], string | null | undefined>>();

/** A typed client call: the compiler knows the path, the query and the error body. */
export async function slowTask(base: string, params: SlowTask["parameters"]): Promise<SlowTask["responses"][422]["content"]["application/json"] | unknown> {
  const url = new URL(\`/slow_task/\${params.path.item_id}\`, base);
  if (params.query?.q != null) url.searchParams.set("q", params.query.q);
  const response = await fetch(url);
  return response.json();
}

slowTask("http://127.0.0.1:8000", { path: { item_id: 42 }, query: { q: "test" } });
// @ts-expect-error item_id is an integer in the document
slowTask("http://127.0.0.1:8000", { path: { item_id: "42" } });
// @ts-expect-error the path parameter is required
slowTask("http://127.0.0.1:8000", { query: { q: "test" } });
// @ts-expect-error there is no such route
type Missing = paths["/slow_task/"];
`;

const RICH_CLIENT = `import type { components, operations, paths } from "./rich-api.ts";
${HELPERS}
type Schemas = components["schemas"];
type GetItem = paths["/items/{item_id}"]["get"];
type ItemId = paths["/items/{item_id}"]["get"]["parameters"]["path"]["item_id"];

// Every parameter location, with its wire name and type.
expectType<Equal<ItemId, number>>();
expectType<Equal<GetItem["parameters"]["header"]["x-token"], string>>();
expectType<Equal<NonNullable<GetItem["parameters"]["query"]>["tags"], string[] | undefined>>();
expectType<Equal<NonNullable<GetItem["parameters"]["query"]>["item-query"], string | undefined>>();
expectType<Equal<NonNullable<GetItem["parameters"]["cookie"]>["session_id"], string | undefined>>();
const params: GetItem["parameters"] = {
  path: { item_id: 42 },
  query: { q: "test", limit: 5, tags: ["a", "b"], "item-query": "x" },
  header: { "x-token": "secret" },
  cookie: { session_id: "s" },
};
// @ts-expect-error item_id is an integer, not a string
const wrongId: ItemId = "42";
// @ts-expect-error the x-token header is required
const noToken: GetItem["parameters"]["header"] = {};

// Per-status response models.
expectType<Equal<GetItem["responses"][200]["content"]["application/json"], Schemas["ItemOut"]>>();
expectType<Equal<GetItem["responses"][404]["content"]["application/json"], Schemas["Message"]>>();
expectType<Equal<GetItem["responses"][422]["content"]["application/json"], Schemas["HTTPValidationError"]>>();
// @ts-expect-error a 404 answers a Message, not an item
const wrong404: GetItem["responses"][404]["content"]["application/json"] = { item_id: 1, name: "Saw", price: 1 };

/** A typed client call. */
export async function getItem(base: string, p: GetItem["parameters"]): Promise<Schemas["ItemOut"] | Schemas["Message"]> {
  const url = new URL(\`/items/\${p.path.item_id}\`, base);
  if (p.query?.q !== undefined) url.searchParams.set("q", p.query.q);
  for (const tag of p.query?.tags ?? []) url.searchParams.append("tags", tag);
  const response = await fetch(url, { headers: { "x-token": p.header["x-token"] } });
  return response.json();
}
getItem("http://127.0.0.1:8000", params);

// Named models: Item nested in Order; an input leaves defaulted fields optional, an output has them.
expectType<Equal<Schemas["Order-Input"]["items"][number], Schemas["Item-Input"]>>();
expectType<Equal<Schemas["Order-Output"]["items"][number], Schemas["Item-Output"]>>();
expectType<Equal<Schemas["Item-Input"]["tags"], Schemas["Tag-Input"][] | undefined>>();
expectType<Equal<Schemas["Item-Output"]["description"], string | null>>();
const newItem: paths["/items/"]["post"]["requestBody"]["content"]["application/json"] = { name: "Saw", price: 20 };
expectType<Equal<paths["/items/"]["post"]["responses"][201]["content"]["application/json"], Schemas["ItemOut"]>>();
// @ts-expect-error price is a number
const badItem: Schemas["Item-Input"] = { name: "Saw", price: "20" };

// Embedded bodies: several inputs by name, or one on request.
type PutBody = paths["/items/{item_id}"]["put"]["requestBody"]["content"]["application/json"];
const put: PutBody = { item: newItem, importance: 5 };
// @ts-expect-error importance is required beside the item
const putWithoutImportance: PutBody = { item: newItem };
const order: paths["/orders/"]["post"]["requestBody"]["content"]["application/json"] = { order: { order_id: 1, items: [newItem] } };
// @ts-expect-error the order must be embedded under its name
const bareOrder: paths["/orders/"]["post"]["requestBody"]["content"]["application/json"] = { order_id: 1, items: [newItem] };

// A urlencoded form.
type Login = paths["/login"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
const login: Login = { username: "ann", password: "correct horse" };
// @ts-expect-error remember is a boolean
const badLogin: Login = { username: "ann", password: "correct horse", remember: "yes" };

// A 204 has no body.
// @ts-expect-error no content on a 204
const deleted: operations["delete_items__item_id_"]["responses"][204]["content"] = { "application/json": {} };
expectType<Equal<operations["delete_items__item_id_"]["responses"][404]["content"]["application/json"], Schemas["Message"]>>();

// The router's prefix, and the hidden route left out.
expectType<Equal<paths["/v1/users/{user_id}"]["get"]["parameters"]["path"]["user_id"], string>>();
// @ts-expect-error only the prefixed path exists
type Unprefixed = paths["/users/{user_id}"];
// @ts-expect-error the hidden route is not in the document
type Hidden = paths["/internal/metrics"];

export const values = [wrongId, noToken, wrong404, badItem, put, putWithoutImportance, order, bareOrder, login, badLogin, deleted];
`;

// Proves the check is real: the same wrong use without its directive must fail tsc.
const WRONG_CLIENT = `import type { paths } from "./rich-api.ts";
export const wrongId: paths["/items/{item_id}"]["get"]["parameters"]["path"]["item_id"] = "42";
`;

interface TscResult {
  code: number;
  output: string;
}

function tsc(project: string): Promise<TscResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [TSC, "-p", project, "--pretty", "false"], { timeout: TSC_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") return reject(error);
      resolve({ code: error === null ? 0 : (error.code as number), output: `${stdout}${stderr}` });
    });
  });
}

describe("openapi-typescript's client types, checked by tsc", () => {
  let dir: string;
  let richTypes: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "spry-codegen-"));
    // Fields with a default are optional to a client sending them; the document already marks
    // them required where the server always sends them (the -Output schemas).
    const options = { defaultNonNullable: false };
    richTypes = await generateTypes(richApp().openapi(), options);
    await writeFile(join(dir, "rich-api.ts"), richTypes);
    await writeFile(join(dir, "seed-api.ts"), await generateTypes(seedApp.openapi(), options));
    await writeFile(join(dir, "seed-client.ts"), SEED_CLIENT);
    await writeFile(join(dir, "rich-client.ts"), RICH_CLIENT);
    await writeFile(join(dir, "wrong-client.ts"), WRONG_CLIENT);
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ ...TSCONFIG, files: ["seed-client.ts", "rich-client.ts"] }));
    await writeFile(join(dir, "tsconfig.wrong.json"), JSON.stringify({ ...TSCONFIG, files: ["wrong-client.ts"] }));
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("every route of the rich app is typed, with no hidden one", () => {
    for (const path of ["/items/{item_id}", "/items/", "/orders/", "/login", "/legacy/items", "/v1/users/{user_id}", "/v1/users/"]) {
      assert.ok(richTypes.includes(`"${path}": {`), `no types for ${path}`);
    }
    assert.ok(!richTypes.includes("/internal/metrics"));
    // The deprecation reaches the client as JSDoc, which editors strike through.
    assert.match(richTypes, /@deprecated[\s\S]*?get: operations\["get_legacy_items"\]/);
  });

  test("the typed clients compile in strict mode, and every wrong use is an error", async () => {
    const result = await tsc(join(dir, "tsconfig.json"));
    assert.equal(result.code, 0, `tsc failed:\n${result.output}`);
  });

  test("a wrong use without @ts-expect-error fails tsc", async () => {
    const result = await tsc(join(dir, "tsconfig.wrong.json"));
    assert.notEqual(result.code, 0);
    assert.match(result.output, /wrong-client\.ts\(2,\d+\): error TS2322/);
  });
});
