// docs/examples/runtimes/deno.ts: serves the app on Deno (the permissions are in docs/runtimes.md).
/// <reference lib="deno.ns" />
import app from "./app.ts";

app.runWith(Deno.serve({ port: Number(Deno.env.get("PORT") ?? 8000) }, app.fetch));
