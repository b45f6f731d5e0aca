// Writes one app of ROUTERS x PER_ROUTER routes, and a client file calling CALLS of them, in
// three frameworks of the same shape: spry with spry/client, Hono with its RPC client
// (hono/client, zod through @hono/zod-validator) and Elysia with Eden Treaty (zod through
// Standard Schema). Each router cycles through five routes: a path int + optional query +
// a header-reading dependency; a paginated list (a dependency with two query inputs) with a
// list query; a JSON body answered 201; a path + body + header with a 404 model; a form login.
// Every router has its own models. Output: out/<framework>/{routers/r00.ts.., app.ts, client.ts,
// tsconfig.json}; `extra: true` adds one route (for the instantiation count of one route).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pad = (n) => String(n).padStart(2, '0');

function write(dir, files) {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** Route i of a router: its kind (0..4) and a name unique in the router. */
const routes = (perRouter) => Array.from({ length: perRouter }, (_, i) => ({ kind: i % 5, n: Math.floor(i / 5) }));

// ---- spry ---------------------------------------------------------------------------------

function spryRouter(r, perRouter, extra) {
  const lines = [
    'import { z } from "zod";',
    'import { Router, depends, form, header, json } from "spry";',
    '',
    `const Item = z.object({ id: z.int(), name: z.string(), price: z.number(), tags: z.array(z.string()), r${r}: z.boolean().optional() });`,
    'const ItemIn = z.object({ name: z.string().min(1), price: z.number().positive(), tags: z.array(z.string()).default([]) });',
    'const Message = z.object({ message: z.string() });',
    'const Token = z.object({ access_token: z.string(), token_type: z.string() });',
    'const token = depends({ x_token: header(z.string()) }, ({ x_token }) => x_token);',
    'const page = depends({ skip: z.int().default(0), limit: z.int().max(100).default(10) }, (p) => p);',
    'const item = { id: 1, name: "a", price: 1, tags: [] as string[] };',
    '',
    `export const r${pad(r)} = new Router({ prefix: "/r${pad(r)}", tags: ["r${pad(r)}"] })`,
  ];
  const all = routes(perRouter);
  if (extra) all.push({ kind: 0, n: 99 });
  for (const { kind, n } of all) {
    if (kind === 0) lines.push(`  .get("/items${n}/{item_id}", { item_id: z.int(), q: z.string().optional(), token }, ({ item_id, q }) => ({ ...item, id: item_id, name: q ?? "a" }), { response: Item })`);
    if (kind === 1) lines.push(`  .get("/items${n}/", { page, tag: z.array(z.string()).default([]) }, ({ page }) => [{ ...item, id: page.skip }], { response: z.array(Item) })`);
    if (kind === 2) lines.push(`  .post("/items${n}/", { body: ItemIn }, ({ body }) => ({ ...body, id: 1 }), { response: Item, status: 201 })`);
    if (kind === 3) lines.push(`  .put("/items${n}/{item_id}", { item_id: z.int(), body: ItemIn, x_request_id: header(z.string().optional()) }, ({ item_id, body }) => (item_id > 0 ? { ...body, id: item_id } : json({ message: "no" }, { status: 404 })), { response: Item, responses: { 404: { model: Message } } })`);
    if (kind === 4) lines.push(`  .post("/login${n}", { username: form(z.string()), password: form(z.string()) }, ({ username }) => ({ access_token: username, token_type: "bearer" }), { response: Token })`);
  }
  lines[lines.length - 1] += ';';
  return lines.join('\n') + '\n';
}

function spryApp(routers) {
  const names = Array.from({ length: routers }, (_, r) => `r${pad(r)}`);
  return [
    'import { Spry } from "spry";',
    ...names.map((n) => `import { ${n} } from "./routers/${n}.ts";`),
    '',
    'export const app = new Spry()',
    ...names.map((n, i) => `  .include(${n})${i === names.length - 1 ? ';' : ''}`),
    'export type App = typeof app;',
    '',
  ].join('\n');
}

function spryClient(calls, routers) {
  const lines = ['import { client } from "spry/client";', 'import type { App } from "./app.ts";', '', 'const api = client<App>("http://127.0.0.1:8000");', '', 'export async function run(): Promise<number> {', '  let total = 0;'];
  for (let c = 0; c < calls; c++) {
    const r = pad(c % routers);
    const kind = Math.floor(c / routers) % 4;
    const n = Math.floor(c / (routers * 4));
    if (kind === 0) lines.push(`  { const res = await api.get("/r${r}/items${n}/{item_id}", { path: { item_id: ${c} }, query: { q: "x" }, headers: { "x-token": "t" } }); if (res.status === 200) total += res.data.name.length; }`);
    if (kind === 1) lines.push(`  { const res = await api.get("/r${r}/items${n}/", { query: { skip: 1, tag: ["a"] } }); if (res.status === 200) total += res.data.length; }`);
    if (kind === 2) lines.push(`  { const res = await api.post("/r${r}/items${n}/", { body: { name: "a", price: 1 } }); if (res.status === 201) total += res.data.price; else if (res.status === 422) total += res.data.detail.length; }`);
    if (kind === 3) lines.push(`  { const res = await api.put("/r${r}/items${n}/{item_id}", { path: { item_id: 1 }, body: { name: "a", price: 1 }, headers: { "x-request-id": "i" } }); if (res.status === 404) total += res.data.message.length; }`);
  }
  lines.push('  return total;', '}', '');
  return lines.join('\n');
}

// ---- Hono ---------------------------------------------------------------------------------

function honoRouter(r, perRouter, extra) {
  const lines = [
    'import { Hono } from "hono";',
    'import { createMiddleware } from "hono/factory";',
    'import { zValidator } from "@hono/zod-validator";',
    'import { z } from "zod";',
    '',
    `const Item = z.object({ id: z.int(), name: z.string(), price: z.number(), tags: z.array(z.string()), r${r}: z.boolean().optional() });`,
    'type Item = z.infer<typeof Item>;',
    'const ItemIn = z.object({ name: z.string().min(1), price: z.number().positive(), tags: z.array(z.string()).default([]) });',
    'const Id = z.object({ item_id: z.coerce.number().int() });',
    'const Page = z.object({ skip: z.coerce.number().int().default(0), limit: z.coerce.number().int().max(100).default(10), tag: z.array(z.string()).default([]) });',
    // The dependency: a validated header and a middleware setting what it resolves to.
    'const TokenHeader = z.object({ "x-token": z.string() });',
    'const token = createMiddleware<{ Variables: { token: string } }>(async (c, next) => { c.set("token", c.req.header("x-token") ?? ""); await next(); });',
    'const item: Item = { id: 1, name: "a", price: 1, tags: [] };',
    '',
    `export const r${pad(r)} = new Hono()`,
  ];
  const all = routes(perRouter);
  if (extra) all.push({ kind: 0, n: 99 });
  for (const { kind, n } of all) {
    if (kind === 0) lines.push(`  .get("/items${n}/:item_id", zValidator("param", Id), zValidator("query", z.object({ q: z.string().optional() })), zValidator("header", TokenHeader), token, (c) => c.json({ ...item, id: c.req.valid("param").item_id, name: c.req.valid("query").q ?? c.var.token } satisfies Item, 200))`);
    if (kind === 1) lines.push(`  .get("/items${n}/", zValidator("query", Page), (c) => c.json([{ ...item, id: c.req.valid("query").skip }] satisfies Item[], 200))`);
    if (kind === 2) lines.push(`  .post("/items${n}/", zValidator("json", ItemIn), (c) => c.json({ ...c.req.valid("json"), id: 1 } satisfies Item, 201))`);
    if (kind === 3) lines.push(`  .put("/items${n}/:item_id", zValidator("param", Id), zValidator("json", ItemIn), zValidator("header", z.object({ "x-request-id": z.string().optional() })), (c) => (c.req.valid("param").item_id > 0 ? c.json({ ...c.req.valid("json"), id: c.req.valid("param").item_id } satisfies Item, 200) : c.json({ message: "no" }, 404)))`);
    if (kind === 4) lines.push(`  .post("/login${n}", zValidator("form", z.object({ username: z.string(), password: z.string() })), (c) => c.json({ access_token: c.req.valid("form").username, token_type: "bearer" }, 200))`);
  }
  lines[lines.length - 1] += ';';
  return lines.join('\n') + '\n';
}

function honoApp(routers) {
  const names = Array.from({ length: routers }, (_, r) => `r${pad(r)}`);
  return [
    'import { Hono } from "hono";',
    ...names.map((n) => `import { ${n} } from "./routers/${n}.ts";`),
    '',
    'export const app = new Hono()',
    ...names.map((n, i) => `  .route("/${n}", ${n})${i === names.length - 1 ? ';' : ''}`),
    'export type App = typeof app;',
    '',
  ].join('\n');
}

function honoClient(calls, routers) {
  const lines = ['import { hc } from "hono/client";', 'import type { App } from "./app.ts";', '', 'const api = hc<App>("http://127.0.0.1:8000");', '', 'export async function run(): Promise<number> {', '  let total = 0;'];
  for (let c = 0; c < calls; c++) {
    const r = pad(c % routers);
    const kind = Math.floor(c / routers) % 4;
    const n = Math.floor(c / (routers * 4));
    if (kind === 0) lines.push(`  { const res = await api.r${r}.items${n}[":item_id"].$get({ param: { item_id: "${c}" }, query: { q: "x" }, header: { "x-token": "t" } }); if (res.status === 200) total += (await res.json()).name.length; }`);
    if (kind === 1) lines.push(`  { const res = await api.r${r}.items${n}.index.$get({ query: { skip: "1", tag: ["a"] } }); if (res.status === 200) total += (await res.json()).length; }`);
    if (kind === 2) lines.push(`  { const res = await api.r${r}.items${n}.index.$post({ json: { name: "a", price: 1 } }); if (res.status === 201) total += (await res.json()).price; }`);
    if (kind === 3) lines.push(`  { const res = await api.r${r}.items${n}[":item_id"].$put({ param: { item_id: "1" }, json: { name: "a", price: 1 }, header: { "x-request-id": "i" } }); if (res.status === 404) total += (await res.json()).message.length; }`);
  }
  lines.push('  return total;', '}', '');
  return lines.join('\n');
}

// ---- Elysia -------------------------------------------------------------------------------

function elysiaRouter(r, perRouter, extra) {
  const lines = [
    'import { Elysia } from "elysia";',
    'import { z } from "zod";',
    '',
    `const Item = z.object({ id: z.int(), name: z.string(), price: z.number(), tags: z.array(z.string()), r${r}: z.boolean().optional() });`,
    'const ItemIn = z.object({ name: z.string().min(1), price: z.number().positive(), tags: z.array(z.string()).default([]) });',
    'const Message = z.object({ message: z.string() });',
    'const Token = z.object({ access_token: z.string(), token_type: z.string() });',
    'const Id = z.object({ item_id: z.coerce.number().int() });',
    'const Page = z.object({ skip: z.coerce.number().int().default(0), limit: z.coerce.number().int().max(100).default(10), tag: z.array(z.string()).default([]) });',
    'const item = { id: 1, name: "a", price: 1, tags: [] as string[] };',
    '',
    // The dependency: a resolve() reading a validated header, for every route after it.
    `export const r${pad(r)} = new Elysia({ prefix: "/r${pad(r)}" })`,
    '  .resolve(({ headers }) => ({ token: headers["x-token"] ?? "" }))',
  ];
  const all = routes(perRouter);
  if (extra) all.push({ kind: 0, n: 99 });
  for (const { kind, n } of all) {
    if (kind === 0) lines.push(`  .get("/items${n}/:item_id", ({ params, query, token }) => ({ ...item, id: params.item_id, name: query.q ?? token }), { params: Id, query: z.object({ q: z.string().optional() }), headers: z.object({ "x-token": z.string() }), response: Item })`);
    if (kind === 1) lines.push(`  .get("/items${n}/", ({ query }) => [{ ...item, id: query.skip }], { query: Page, response: z.array(Item) })`);
    if (kind === 2) lines.push(`  .post("/items${n}/", ({ body, set }) => { set.status = 201; return { ...body, id: 1 }; }, { body: ItemIn, response: { 201: Item } })`);
    if (kind === 3) lines.push(`  .put("/items${n}/:item_id", ({ params, body, status }) => (params.item_id > 0 ? { ...body, id: params.item_id } : status(404, { message: "no" })), { params: Id, body: ItemIn, headers: z.object({ "x-request-id": z.string().optional() }), response: { 200: Item, 404: Message } })`);
    if (kind === 4) lines.push(`  .post("/login${n}", ({ body }) => ({ access_token: body.username, token_type: "bearer" }), { body: z.object({ username: z.string(), password: z.string() }), response: Token })`);
  }
  lines[lines.length - 1] += ';';
  return lines.join('\n') + '\n';
}

function elysiaApp(routers) {
  const names = Array.from({ length: routers }, (_, r) => `r${pad(r)}`);
  return [
    'import { Elysia } from "elysia";',
    ...names.map((n) => `import { ${n} } from "./routers/${n}.ts";`),
    '',
    'export const app = new Elysia()',
    ...names.map((n, i) => `  .use(${n})${i === names.length - 1 ? ';' : ''}`),
    'export type App = typeof app;',
    '',
  ].join('\n');
}

function elysiaClient(calls, routers) {
  const lines = ['import { treaty } from "@elysiajs/eden";', 'import type { App } from "./app.ts";', '', 'const api = treaty<App>("127.0.0.1:8000");', '', 'export async function run(): Promise<number> {', '  let total = 0;'];
  for (let c = 0; c < calls; c++) {
    const r = pad(c % routers);
    const kind = Math.floor(c / routers) % 4;
    const n = Math.floor(c / (routers * 4));
    if (kind === 0) lines.push(`  { const res = await api.r${r}.items${n}({ item_id: ${c} }).get({ query: { q: "x" }, headers: { "x-token": "t" } }); if (res.data) total += res.data.name.length; }`);
    if (kind === 1) lines.push(`  { const res = await api.r${r}.items${n}.get({ query: { skip: 1, limit: 10, tag: ["a"] } }); if (res.data) total += res.data.length; }`);
    if (kind === 2) lines.push(`  { const res = await api.r${r}.items${n}.post({ name: "a", price: 1, tags: [] }); if (res.data) total += res.data.price; }`);
    if (kind === 3) lines.push(`  { const res = await api.r${r}.items${n}({ item_id: 1 }).put({ name: "a", price: 1, tags: [] }, { headers: { "x-request-id": "i" } }); if (res.error?.status === 404) total += res.error.value.message.length; }`);
  }
  lines.push('  return total;', '}', '');
  return lines.join('\n');
}

// ---- projects -----------------------------------------------------------------------------

const shapes = {
  spry: { router: spryRouter, app: spryApp, client: spryClient },
  hono: { router: honoRouter, app: honoApp, client: honoClient },
  elysia: { router: elysiaRouter, app: elysiaApp, client: elysiaClient },
};

/** The tsconfig of one generated project; `spry` resolves to this repository's sources (run.mjs may point it elsewhere). */
function tsconfig(framework, files) {
  const paths = framework === 'spry' ? { spry: ['../../../../src/index.ts'], 'spry/client': ['../../../../src/client/index.ts'] } : undefined;
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      ...(paths ? { paths } : {}),
    },
    files,
  }, null, 2) + '\n';
}

/**
 * Writes out/<name>/ for `framework`: the app, and the client file when `withClient`.
 * Returns the directory.
 */
export function generate({ framework, name = framework, routers = 25, perRouter = 20, calls = 100, withClient = true, extra = false, outDir }) {
  const shape = shapes[framework];
  const files = {};
  for (let r = 0; r < routers; r++) files[`routers/r${pad(r)}.ts`] = shape.router(r, perRouter, extra && r === 0);
  files['app.ts'] = shape.app(routers);
  const roots = ['app.ts'];
  if (withClient) {
    files['client.ts'] = shape.client(calls, routers);
    roots.push('client.ts');
  }
  files['tsconfig.json'] = tsconfig(framework, roots);
  const dir = join(outDir, name);
  write(dir, files);
  return dir;
}
