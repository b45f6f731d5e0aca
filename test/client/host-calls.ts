// Run by Bun or Deno (test/client/hosts.test.ts): the typed client from its sources, against
// the spry app whose origin is the first argument; prints what each call answered as JSON.
import { client } from "../../src/client/index.ts";
import type { EchoApp } from "./echo-app.ts";

const origin = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? (globalThis as unknown as { process: { argv: string[] } }).process.argv[2]!;
const api = client<EchoApp>(origin, { timeout: 10_000 });
const read = await api.get("/items/{item_id}", { path: { item_id: 3 }, query: { q: "a b" }, headers: { "x-token": "t" } });
const invalid = await api.post("/items/", { body: { name: "saw", price: -1 } });
const login = await api.post("/login", { form: { username: "ann", password: "p&w" } });
const upload = await api.post("/upload", { form: { doc: new File(["hi"], "doc.txt", { type: "text/plain" }), title: "t" } });
let timedOut = "no";
await api.get("/slow", { timeout: 50 }).catch((error: Error) => (timedOut = error.name));
console.log(JSON.stringify({
  read: [read.status, read.data],
  invalid: [invalid.status, invalid.status === 422 ? invalid.data.detail.map((d) => d.loc) : invalid.data],
  login: [login.status, login.data],
  upload: [upload.status, upload.data],
  timedOut,
}));
