// What the browser test runs in Chromium, bundled by esbuild: the typed client against the
// page's own origin. The app comes in as a type only, so the bundle holds no server code.
import { client } from "spry/client";
import type { EchoApp } from "./echo-app.ts";

/** Every call's status and data, for the test to compare. */
export async function calls(origin: string): Promise<Record<string, unknown>> {
  const api = client<EchoApp>(origin, { timeout: 10_000 });
  const read = await api.get("/items/{item_id}", { path: { item_id: 3 }, query: { q: "a b" }, headers: { "x-token": "t" } });
  const made = await api.post("/items/", { body: { name: "saw", price: 20 } });
  const invalid = await api.post("/items/", { body: { name: "saw", price: -1 } });
  const login = await api.post("/login", { form: { username: "ann", password: "p&w" } });
  const upload = await api.post("/upload", { form: { doc: new File(["hi"], "doc.txt", { type: "text/plain" }), title: "t" } });
  const missing = await api.get("/v1/items/{item_id}", { path: { item_id: 404 }, headers: { "x-token": "t" } });
  let timedOut = "no";
  await api.get("/slow", { timeout: 50 }).catch((error: Error) => (timedOut = error.name));
  return {
    read: [read.status, read.data],
    made: [made.status, made.data],
    invalid: [invalid.status, invalid.status === 422 ? invalid.data.detail.map((d) => d.loc) : invalid.data],
    login: [login.status, login.data],
    upload: [upload.status, upload.data],
    missing: [missing.status, missing.data],
    timedOut,
  };
}
