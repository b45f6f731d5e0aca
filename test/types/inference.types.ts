// Type-level tests, checked by `tsc --noEmit` as the first step of `npm test`: a handler's
// argument types are inferred from its declaration, and reading what was not declared fails
// to compile. Nothing here runs.
import { z } from "zod";
import * as v from "valibot";
import type { VisitStore } from "../../docs/examples/lifespan.ts";
import { BackgroundTasks, Router, Spry, cookie, depends, query, task, type TaskRun, file, files, form, header, json, threaded, type Context, type InferInputs, type PathParamNames, type UploadFile } from "spry";
import {
  APIKeyCookie,
  APIKeyHeader,
  APIKeyQuery,
  HTTPBasic,
  HTTPBearer,
  OAuth2PasswordBearer,
  OAuth2PasswordRequestForm,
  OAuth2PasswordRequestFormStrict,
  security,
  securityScopes,
  type Dependency,
  type HTTPAuthorizationCredentials,
  type HTTPBasicCredentials,
  type SecurityScopes,
} from "spry";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_?: T): void {}

const app = new Spry();

// The article's route: a path int and a nullable query string with a default.
app.get("/slow_task/{item_id}", { item_id: z.int(), q: z.string().nullable().default(null) }, (inputs, ctx) => {
  expectType<Equal<typeof inputs, { item_id: number; q: string | null }>>();
  expectType<Equal<typeof ctx, Context>>();
  expectType<Equal<typeof ctx.signal, AbortSignal>>();
  return inputs;
});

// Path parameters left undeclared are strings; {name:path} is named without its converter.
app.get("/users/{user_id}/files/{file_path:path}", (inputs) => {
  expectType<Equal<typeof inputs, { user_id: string; file_path: string }>>();
  return null;
});
expectType<Equal<PathParamNames<"/a/{x}/b/{y:path}">, "x" | "y">>();
expectType<Equal<PathParamNames<"/static">, never>>();

// A declared path parameter takes its schema's type over the template's string.
app.get("/items/{id}", { id: z.int() }, ({ id }) => {
  expectType<Equal<typeof id, number>>();
  return id;
});

// Optional, lists, enums, headers, cookies, transforms.
app.get("/search", {
  limit: z.int().optional(),
  ids: z.array(z.int()),
  color: z.enum(["red", "green"]),
  user_agent: header(z.string()),
  session: cookie(z.string().optional()),
  csv: z.string().transform((s) => s.split(",")),
}, (inputs) => {
  expectType<Equal<typeof inputs.limit, number | undefined>>();
  expectType<Equal<typeof inputs.ids, number[]>>();
  expectType<Equal<typeof inputs.color, "red" | "green">>();
  expectType<Equal<typeof inputs.user_agent, string>>();
  expectType<Equal<typeof inputs.session, string | undefined>>();
  expectType<Equal<typeof inputs.csv, string[]>>();
  return null;
});

// Any Standard Schema library: valibot's output type flows through.
app.get("/valibot", { n: v.pipe(v.string(), v.transform(Number)) }, ({ n }) => {
  expectType<Equal<typeof n, number>>();
  return n;
});

// Reading an input that was not declared does not compile.
// @ts-expect-error: q is not declared
app.get("/strict", { a: z.int() }, ({ q }) => q);
// @ts-expect-error: no inputs at all, so no item_id
app.get("/none", ({ item_id }) => item_id);

// A declaration must be a schema.
// @ts-expect-error: 5 is not a schema
app.get("/not-a-schema", { a: 5 }, () => null);

// Route options are one type for every method, checked.
app.post("/created", () => null, { status: 201, tags: ["x"], summary: "Create" });
// @ts-expect-error: status is a number
app.post("/bad-options", () => null, { status: "201" });

// Registration chains, on routers and apps alike.
const router: Router = new Router({ prefix: "/r" }).get("/a", () => 1).post("/b", () => 2);
const chained: Spry = app.include(router).get("/c", () => 3);
void chained;

// Response models: the handler must return the model's input type (extra fields are fine,
// they are stripped), a json() reply, or a Response.
const Out = z.object({ id: z.int(), name: z.string() });
app.get("/users/{id}", { id: z.int() }, ({ id }) => ({ id, name: "a", password_hash: "x" }), { response: Out });
app.get("/users2/{id}", { id: z.int() }, async ({ id }) => (id > 0 ? { id, name: "a" } : json({ message: "no" }, { status: 404 })), { response: Out });
app.get("/users3", () => new Response("raw"), { response: Out });
// @ts-expect-error: name must be a string
app.get("/users4", () => ({ id: 1, name: 2 }), { response: Out });
// @ts-expect-error: id is missing
app.get("/users5", async () => ({ name: "a" }), { response: Out });

// Forms and uploads: a form model is its object type, file() an UploadFile (undefined when
// not required), files() a list of them.
app.post("/upload", {
  data: form(z.object({ username: z.string(), remember: z.boolean().default(false) })),
  doc: file(),
  maybe: file({ required: false, maxSize: 1000 }),
  photos: files({ contentTypes: ["image/*"] }),
}, (inputs) => {
  expectType<Equal<typeof inputs.data, { username: string; remember: boolean }>>();
  expectType<Equal<typeof inputs.doc, UploadFile>>();
  expectType<Equal<typeof inputs.maybe, UploadFile | undefined>>();
  expectType<Equal<typeof inputs.photos, UploadFile[]>>();
  return inputs.doc.filename;
});
// @ts-expect-error: an optional file may be undefined
app.post("/upload2", { doc: file({ required: false }) }, ({ doc }) => doc.filename);

// Dependencies: the route receives what a dependency resolves to (a promise's value, a
// generator's yield), and a dependency's own inputs are typed like a route's.
const page = depends({ skip: z.int().default(0) }, ({ skip }) => {
  expectType<Equal<typeof skip, number>>();
  return { skip };
});
const conn = depends(async function* () {
  yield { query: (sql: string) => sql.length };
});
const userName = depends({ conn }, async ({ conn }) => String(conn.query("select")));
app.get("/deps", { page, conn, userName }, (inputs) => {
  expectType<Equal<typeof inputs, { page: { skip: number }; conn: { query: (sql: string) => number }; userName: string }>>();
  return null;
});
// @ts-expect-error: a dependency's inputs are checked like a route's
depends({ skip: z.int() }, ({ limit }) => limit);

// Security schemes resolve to their credentials; with `autoError: false` (or a boolean not
// known to be true) they may be undefined too.
const oauth2 = OAuth2PasswordBearer({ tokenUrl: "token", scopes: { "items:read": "Read items" } });
expectType<Equal<typeof oauth2, Dependency<string>>>();
declare const optional: boolean;
app.get("/auth", {
  token: oauth2,
  maybeToken: OAuth2PasswordBearer({ tokenUrl: "token", autoError: false }),
  unsure: OAuth2PasswordBearer({ tokenUrl: "token", autoError: optional }),
  basic: HTTPBasic({ realm: "r" }),
  maybeBasic: HTTPBasic({ autoError: false }),
  bearer: HTTPBearer(),
  maybeBearer: HTTPBearer({ autoError: false }),
  header: APIKeyHeader({ name: "X-Key" }),
  query: APIKeyQuery({ name: "key", autoError: true }),
  cookie: APIKeyCookie({ name: "sid", autoError: false }),
}, (inputs) => {
  expectType<Equal<typeof inputs.token, string>>();
  expectType<Equal<typeof inputs.maybeToken, string | undefined>>();
  expectType<Equal<typeof inputs.unsure, string | undefined>>();
  expectType<Equal<typeof inputs.basic, HTTPBasicCredentials>>();
  expectType<Equal<typeof inputs.basic.password, string>>();
  expectType<Equal<typeof inputs.maybeBasic, HTTPBasicCredentials | undefined>>();
  expectType<Equal<typeof inputs.bearer, HTTPAuthorizationCredentials>>();
  expectType<Equal<typeof inputs.maybeBearer, HTTPAuthorizationCredentials | undefined>>();
  expectType<Equal<typeof inputs.header, string>>();
  expectType<Equal<typeof inputs.query, string>>();
  expectType<Equal<typeof inputs.cookie, string | undefined>>();
  return null;
});
// @ts-expect-error: OAuth2PasswordBearer needs its tokenUrl
OAuth2PasswordBearer({ scopes: {} });
// @ts-expect-error: an API key needs the name it is sent under
APIKeyHeader({});
// @ts-expect-error: with autoError false the credentials may be undefined
app.get("/auth2", { basic: HTTPBasic({ autoError: false }) }, ({ basic }) => basic.username);

// The password form is typed by its fields; the strict form's grant_type is always "password".
app.post("/token", { form: OAuth2PasswordRequestForm, strict: OAuth2PasswordRequestFormStrict }, ({ form, strict }) => {
  expectType<Equal<typeof form, OAuth2PasswordRequestForm>>();
  expectType<Equal<typeof form.scopes, string[]>>();
  expectType<Equal<typeof form.grant_type, "password" | undefined>>();
  expectType<Equal<typeof form.client_secret, string | undefined>>();
  expectType<Equal<typeof strict.grant_type, "password">>();
  return form.username;
});

// security() keeps the dependency's type; securityScopes is an input like any dependency.
const scopedUser = depends({ required: securityScopes, token: oauth2 }, ({ required, token }) => {
  expectType<Equal<typeof required, SecurityScopes>>();
  expectType<Equal<typeof required.scopeStr, string>>();
  expectType<Equal<typeof required.scopes, readonly string[]>>();
  return { token };
});
const readsItems = security(scopedUser, { scopes: ["items:read"] });
expectType<Equal<typeof readsItems, typeof scopedUser>>();
app.get("/items-auth", { user: readsItems }, ({ user }) => {
  expectType<Equal<typeof user, { token: string }>>();
  return user;
});

// threaded(): the same parameters, the awaited result in a promise; as a route handler or a
// dependency, its declared inputs must match what the route gives it.
{
  const hash = threaded(import.meta.url, function hash(password: string, rounds: number): string {
    return password.repeat(rounds);
  });
  expectType<Equal<Parameters<typeof hash>, [password: string, rounds: number]>>();
  expectType<Equal<ReturnType<typeof hash>, Promise<string>>>();
  expectType<Equal<ReturnType<ReturnType<typeof hash.with>>, Promise<string>>>();
  const later = threaded(import.meta.url, async function later(): Promise<number> {
    return 1;
  });
  expectType<Equal<ReturnType<typeof later>, Promise<number>>>();
  // @ts-expect-error a number is not a string
  void hash(1, 2);

  const inputs = { id: z.int(), q: z.string().optional() };
  const find = threaded(import.meta.url, function find({ id, q }: InferInputs<"/items/{id}", typeof inputs>) {
    return { id, q };
  });
  app.get("/items/{id}", inputs, find);
  // Declared inline, the handler's inputs are inferred from the route, as for any handler.
  app.get("/inline/{id}", inputs, threaded(import.meta.url, function inline(args) {
    expectType<Equal<typeof args, { id: number; q: string | undefined }>>();
    return args.id;
  }));
  // @ts-expect-error the route gives no `name`
  app.get("/other/{id}", inputs, threaded(import.meta.url, function other({ name }: { name: string }) {
    return name;
  }));
  const digest = depends({ text: z.string() }, threaded(import.meta.url, function digest({ text }: { text: string }) {
    return text.length;
  }));
  app.get("/digest", { digest }, ({ digest }) => {
    expectType<Equal<typeof digest, number>>();
    return digest;
  });
}

// Background tasks: a declared task's argument is its schema's input; a plain function's
// arguments are its parameters; both through ctx.tasks, in handlers and dependencies.
{
  const sendWelcome = task(import.meta.url, { args: z.object({ email: z.email(), retries: z.int().default(0) }) }, async function sendWelcome(args, run) {
    // The task receives the schema's output (the default applied) and a TaskRun.
    expectType<Equal<typeof args, { email: string; retries: number }>>();
    expectType<Equal<typeof run, TaskRun>>();
  });
  const ping = task(import.meta.url, function ping() {});
  const typed = task(import.meta.url, function typed(args: { id: number }) {
    return args.id;
  });
  app.get("/tasks", async (_, { tasks }) => {
    expectType<Equal<typeof tasks, BackgroundTasks>>();
    // `retries` has a default, so the input may leave it out.
    await tasks.add(sendWelcome, { email: "a@example.com" });
    // @ts-expect-error the schema's input has no `mail`
    await tasks.add(sendWelcome, { mail: "a@example.com" });
    // @ts-expect-error the argument is required
    await tasks.add(sendWelcome);
    await tasks.add(ping);
    // @ts-expect-error ping takes no argument
    await tasks.add(ping, 1);
    await tasks.add(typed, { id: 1 });
    // @ts-expect-error id is a number
    await tasks.add(typed, { id: "1" });
    await tasks.add((id: number, label: string) => `${id}${label}`, 1, "x");
    // @ts-expect-error the second parameter is a string
    await tasks.add((id: number, label: string) => `${id}${label}`, 1, 2);
    // @ts-expect-error one argument is missing
    await tasks.add((id: number, label: string) => `${id}${label}`, 1);
    expectType<Equal<ReturnType<typeof tasks.add>, Promise<void>>>();
    return null;
  });
  depends((_, { tasks }) => tasks.add(ping));
}

// Parameter models: the handler receives the model's output; `aliases` name its own fields.
const Filter = z.object({ limit: z.int().default(10), tags: z.array(z.string()).default([]), q: z.string().optional() });
app.get("/filter", { filter: query(Filter, { aliases: { q: "search" } }), h: header(z.object({ save_data: z.boolean() })) }, ({ filter, h }) => {
  expectType<Equal<typeof filter, { limit: number; tags: string[]; q?: string | undefined }>>();
  expectType<Equal<typeof h, { save_data: boolean }>>();
  return filter;
});
// @ts-expect-error: the model has no field "nope"
app.get("/filter-typo", { filter: query(Filter, { aliases: { nope: "x" } }) }, ({ filter }) => filter);

// Literal and enum fields of a response model take a returned object literal as it is, no
// `as const`, sync or async, with inputs or without, in unions with json() and Responses.
const Token = z.object({
  access_token: z.string(),
  token_type: z.literal("bearer"),
  scope: z.enum(["read", "write"]),
  scopes: z.array(z.enum(["read", "write"])).default([]),
  owner: z.object({ role: z.enum(["admin", "user"]) }).optional(),
});
app.post("/token0", () => ({ access_token: "x", token_type: "bearer", scope: "read" }), { response: Token });
app.post("/token1", async () => ({ access_token: "x", token_type: "bearer", scope: "write", scopes: ["read"] }), { response: Token });
app.post("/token2", { username: form(z.string()) }, ({ username }) => ({ access_token: username, token_type: "bearer", scope: "read", owner: { role: "admin" } }), { response: Token });
app.post("/token3", { username: form(z.string()) }, async ({ username }) => ({ access_token: username, token_type: "bearer", scope: "read" }), { response: Token });
const anyDep = depends(() => 1);
app.post("/token4", { anyDep }, async () => ({ access_token: "x", token_type: "bearer", scope: "read" }), { response: Token });
app.post("/token5", { n: z.int() }, ({ n }) => (n > 0 ? { access_token: "x", token_type: "bearer", scope: "read" } : json({ detail: "no" }, { status: 401 })), { response: Token });
const Pet = z.discriminatedUnion("kind", [z.object({ kind: z.literal("cat"), meows: z.boolean() }), z.object({ kind: z.literal("dog"), barks: z.boolean() })]);
app.get("/pet/{n}", { n: z.int() }, ({ n }) => (n > 0 ? { kind: "cat", meows: true } : { kind: "dog", barks: false }), { response: Pet });
app.get("/pet-or-nothing", () => (Math.random() > 0.5 ? { kind: "cat", meows: true } : new Response(null, { status: 204 })), { response: Pet });
app.get("/throws", () => { throw new Error("x"); }, { response: Pet });
// Without a model anything goes, literals or not.
app.get("/free", () => (Math.random() > 0.5 ? "a" : null));
app.get("/free2", async () => [new Date(), new Map(), { a: [1] }]);
// Literals inside lists and nested objects, beside dates and other class instances.
const Feed = z.object({ at: z.date(), entries: z.array(z.object({ kind: z.enum(["post", "reply"]), tags: z.array(z.literal(["a", "b"])) })) });
app.get("/feed", () => ({ at: new Date(), entries: [{ kind: "post", tags: ["a"] }, { kind: "reply", tags: [] }] }), { response: Feed });
app.get("/feed/{n}", { n: z.int() }, async ({ n }) => ({ at: new Date(n), entries: [{ kind: "reply", tags: ["b", "a"] }] }), { response: Feed });
// @ts-expect-error: "like" is not a kind
app.get("/bad-feed", async () => ({ at: new Date(), entries: [{ kind: "like", tags: [] }] }), { response: Feed });
// A wrong literal, field or type is still refused, with inputs or without; the error ends with
// the field ("Types of property 'scope' are incompatible").
// @ts-expect-error: "admin" is not a scope
app.post("/bad-token0", () => ({ access_token: "x", token_type: "bearer", scope: "admin" }), { response: Token });
// @ts-expect-error: token_type must be "bearer"
app.post("/bad-token1", async () => ({ access_token: "x", token_type: "basic", scope: "read" }), { response: Token });
// @ts-expect-error: the owner's role is not a role ("The types of 'owner.role' are incompatible")
app.post("/bad-token2", { username: form(z.string()) }, async ({ username }) => ({ access_token: username, token_type: "bearer", scope: "read", owner: { role: "root" } }), { response: Token });
// @ts-expect-error: a number is no Token
app.post("/bad-token3", () => 5, { response: Token });

// Dependency overrides take a plain function (or a depends()), held to the overridden
// dependency's result type.
const currentUser = depends(async () => ({ name: "real", admin: false }));
app.dependencyOverrides.set(currentUser, () => ({ name: "test user", admin: true }));
app.dependencyOverrides.set(currentUser, async (_inputs, ctx) => ({ name: ctx.method, admin: false }));
app.dependencyOverrides.set(currentUser, function* () { yield { name: "g", admin: false }; });
app.dependencyOverrides.set(currentUser, depends({ q: z.string() }, ({ q }) => ({ name: q, admin: false })));
// @ts-expect-error: admin is missing
app.dependencyOverrides.set(currentUser, () => ({ name: "no admin field" }));
// @ts-expect-error: a number is no user
app.dependencyOverrides.set(currentUser, depends(() => 5));
// @ts-expect-error: neither a function nor a dependency
app.dependencyOverrides.set(currentUser, { name: "x", admin: true });

// ctx.app.state is typed by AppState, which docs/examples/lifespan.ts fills from its lifespan
// (`declare module "spry"`), in any module, with no import of the app.
app.get("/typed-state", (_inputs, ctx) => {
  expectType<Equal<typeof ctx.app.state.visits, VisitStore>>();
  expectType<Equal<typeof ctx.app.state.startedAt, Date>>();
  // @ts-expect-error: the lifespan yields no "pool"
  void ctx.app.state.pool;
  // The request's own state starts as a copy of the lifespan's, typed the same; what
  // middleware adds is unknown.
  expectType<Equal<typeof ctx.state.visits, VisitStore>>();
  expectType<Equal<typeof ctx.state.user, unknown>>();
  return null;
});
