// Type-level tests of spry/client, checked by `tsc --noEmit` as the first step of `npm test`:
// the inputs a call takes are the route's declared inputs grouped by where they go, results are
// typed per status, a 422 is FastAPI's validation error, and wrong inputs or unknown paths do
// not compile. Nothing here runs (the calls sit in a function that is never called).
import { z } from "zod";
import { Router, Spry, body, cookie, depends, file, files, form, header, json, query, type ErrorDetail } from "spry";
import { client, type HTTPValidationError, type PathsOf, type RoutesOf, type ValidationErrorDetail } from "spry/client";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_?: T): void {}

const Item = z.object({ id: z.int(), name: z.string(), price: z.number() });
const ItemIn = z.object({ name: z.string(), price: z.number(), tags: z.array(z.string()).default([]) });
const Message = z.object({ message: z.string() });

const page = depends({ skip: z.int().default(0), limit: z.int().max(100).default(10) }, (p) => p);
const token = depends({ x_token: header(z.string()) }, ({ x_token }) => x_token);

const items = new Router({ prefix: "/items" })
  .get("/{item_id}", { item_id: z.int(), q: z.string().optional(), token }, ({ item_id }) => (item_id > 0 ? { id: item_id, name: "a", price: 1 } : json({ message: "no" }, { status: 404 })), {
    response: Item,
    responses: { 404: { model: Message } },
  })
  .post("/", { item: ItemIn }, ({ item }) => ({ id: 1, ...item }), { response: Item, status: 201 })
  .get("/", { page, tag: z.array(z.string()).optional() }, () => [], { response: z.array(Item) });

export const app = new Spry()
  .get("/", () => ({ hello: "world" }))
  .put(
    "/users/{user_id}/files/{file_path:path}",
    {
      user_agent: header(z.string()),
      trace: header(z.string().optional(), { alias: "X-Trace-Id" }),
      session: cookie(z.string()),
      search: query(z.string().optional(), { alias: "search-term" }),
      note: body(z.string()),
      importance: body(z.int()),
    },
    () => null,
    { status: 204 },
  )
  .post("/login", { username: form(z.string()), password: form(z.string()), remember: form(z.boolean().default(false)) }, () => ({ ok: true }))
  .post("/upload", { doc: file(), extra: file({ required: false }), photos: files(), title: form(z.string()) }, () => null)
  .post("/profile", { data: form(z.object({ name: z.string(), age: z.int() })) }, () => null)
  .post("/embedded", { item: body(ItemIn, { embed: true }) }, () => null)
  .delete("/items/{item_id}", { item_id: z.int() }, () => null, { status: 204, responses: { 404: { model: Message }, 422: { model: Message } } })
  .include(items)
  .include(items, { prefix: "/v1" });
export type App = typeof app;

// The statement style still compiles, and its return value carries the route as well.
const plain = new Spry();
plain.get("/plain", () => 1);
expectType<Equal<keyof (typeof plain)["~routes"], never>>();
expectType<Equal<keyof (ReturnType<typeof plain.get<"/plain">>)["~routes"], "/plain">>();
// A router with a prefix, and an app with routes, are still a plain Router and Spry.
const asRouter: Router = items;
const asApp: Spry = app;
void asRouter;
void asApp;

// The 422 body is the server's own ErrorDetail.
expectType<Equal<ValidationErrorDetail, ErrorDetail>>();

async function calls(): Promise<void> {
  const api = client<App>("http://127.0.0.1:8000");

  // Paths: every declared one for its method, prefixes applied (the router's and the include's).
  type GetPaths = PathsOf<RoutesOf<App>, "GET">;
  expectType<Equal<GetPaths, "/" | "/items/{item_id}" | "/items/" | "/v1/items/{item_id}" | "/v1/items/">>();
  // @ts-expect-error: no such path
  await api.get("/nope");
  // @ts-expect-error: /login answers POST only
  await api.get("/login");

  // Inputs: path and query by schema input type, a dependency's query and header inputs too.
  const read = await api.get("/items/{item_id}", { path: { item_id: 1 }, query: { q: "x" }, headers: { "x-token": "t" } });
  await api.get("/v1/items/{item_id}", { path: { item_id: 1 }, headers: { "x-token": "t", authorization: "Bearer b" } });
  // @ts-expect-error: item_id is a number
  await api.get("/items/{item_id}", { path: { item_id: "1" }, headers: { "x-token": "t" } });
  // @ts-expect-error: the dependency's x-token header is required
  await api.get("/items/{item_id}", { path: { item_id: 1 } });
  // @ts-expect-error: the path parameter is required
  await api.get("/items/{item_id}", { headers: { "x-token": "t" } });
  // @ts-expect-error: z is not an input of this route
  await api.get("/items/{item_id}", { path: { item_id: 1 }, query: { z: 1 }, headers: { "x-token": "t" } });

  // Results per status: the model's output, the responses' models, 422, any other error unknown.
  if (read.status === 200) expectType<Equal<typeof read.data, { id: number; name: string; price: number }>>();
  if (read.status === 404) expectType<Equal<typeof read.data, { message: string }>>();
  if (read.status === 422) expectType<Equal<typeof read.data, HTTPValidationError>>();
  if (read.status === 500) expectType<Equal<typeof read.data, unknown>>();
  if (read.ok) {
    expectType<Equal<typeof read.status, 200>>();
    expectType<Equal<typeof read.data.name, string>>();
  } else {
    expectType<Equal<typeof read.ok, false>>();
  }
  expectType<Equal<typeof read.response, Response>>();
  // @ts-expect-error: a route never answers 299: not a status of any member
  if (read.status === 299) void 0;

  // A JSON body: the model's input type (a default makes its field optional); status 201.
  const made = await api.post("/items/", { body: { name: "a", price: 1 } });
  if (made.status === 201) expectType<Equal<typeof made.data, { id: number; name: string; price: number }>>();
  // @ts-expect-error: price is missing
  await api.post("/items/", { body: { name: "a" } });
  // @ts-expect-error: the body is required
  await api.post("/items/");

  // A dependency's defaults make its inputs optional, so the whole input is.
  const listed = await api.get("/items/", { query: { skip: 1, tag: ["a", "b"] } });
  await api.get("/v1/items/");
  if (listed.status === 200) expectType<Equal<typeof listed.data, { id: number; name: string; price: number }[]>>();

  // Headers hyphenated and lower-case (or the alias), cookies, aliased query, several bodies embedded.
  const put = await api.put("/users/{user_id}/files/{file_path:path}", {
    path: { user_id: 7, file_path: "a/b.txt" },
    headers: { "user-agent": "ua", "x-trace-id": "t" },
    cookies: { session: "s" },
    query: { "search-term": "x" },
    body: { note: "n", importance: 2 },
  });
  if (put.status === 204) expectType<Equal<typeof put.data, undefined>>();
  // @ts-expect-error: importance is a number
  await api.put("/users/{user_id}/files/{file_path:path}", { path: { user_id: 7, file_path: "a" }, headers: { "user-agent": "u" }, cookies: { session: "s" }, body: { note: "n", importance: "2" } });

  // Forms: fields, files as Blobs, a form model's fields; an embedded lone body.
  await api.post("/login", { form: { username: "u", password: "p" } });
  // @ts-expect-error: password is missing
  await api.post("/login", { form: { username: "u" } });
  await api.post("/upload", { form: { doc: new Blob(["x"]), photos: [new Blob(["y"])], title: "t" } });
  // @ts-expect-error: doc is a file
  await api.post("/upload", { form: { doc: "x", photos: [], title: "t" } });
  await api.post("/profile", { form: { name: "n", age: 3 } });
  await api.post("/embedded", { body: { item: { name: "a", price: 1 } } });
  // @ts-expect-error: the lone body is embedded by name
  await api.post("/embedded", { body: { name: "a", price: 1 } });

  // A declared 422 replaces the validation error; no 200 where the status is 204.
  const removed = await api.delete("/items/{item_id}", { path: { item_id: 1 }, timeout: 1000, signal: AbortSignal.timeout(5) });
  if (removed.status === 422) expectType<Equal<typeof removed.data, { message: string }>>();
  // @ts-expect-error: 200 is not among this route's statuses
  if (removed.status === 200) void 0;

  // A route without a response model: its data is unknown.
  const root = await api.get("/");
  if (root.status === 200) expectType<Equal<typeof root.data, unknown>>();

  // In process: the app itself, with the same types.
  const local = client(app);
  const again = await local.get("/items/{item_id}", { path: { item_id: 1 }, headers: { "x-token": "t" } });
  if (again.status === 200) expectType<Equal<typeof again.data.id, number>>();
}
void calls;
