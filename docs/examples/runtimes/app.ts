// docs/examples/runtimes/app.ts: one app, served by Node (`spry run`), Bun (bun.ts) or Deno (deno.ts).
import { createHash } from "node:crypto";
import { z } from "zod";
import { Spry, file, sleep, threaded } from "spry";

// Blocking work for the worker thread pool; it runs there on every host.
const digest = threaded(import.meta.url, function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
});

const app = new Spry({
  title: "Runtimes",
  async *lifespan() {
    // Before the first request is answered: open pools, warm caches. (Here: a counter.)
    await sleep(Number(process.env.STARTUP_MS ?? 0));
    const state = { startedAt: new Date().toISOString(), visits: 0 };
    console.log("lifespan: started");
    yield state;
    // On the host's shutdown: after the last request, before the process exits.
    console.log(`lifespan: stopped after ${state.visits} visits`);
  },
});

app.get("/slow_task/{item_id}", {
  item_id: z.int(),
  q: z.string().nullable().default(null),
}, async ({ item_id, q }, { signal }) => {
  await sleep(Number(process.env.SLOW_TASK_SECONDS ?? 5) * 1000, { signal });
  return { item_id, q };
});

app.get("/fast_task/", () => ({ message: "This is fast!" }));

app.get("/visits", () => ({ visits: ++app.state.visits, startedAt: app.state.startedAt }));

app.post("/items/", { item: z.object({ name: z.string(), price: z.number().positive() }) }, ({ item }) => item, { status: 201 });

// Files past 1 MiB are spooled to a temporary file (on Deno: --allow-write).
app.post("/files/", { upload: file() }, async ({ upload }) => ({
  filename: upload.filename,
  size: upload.size,
  sha256: createHash("sha256").update(await upload.bytes()).digest("hex"),
}), { bodyLimit: 10 * 1024 * 1024 });

app.get("/digest/{text}", { text: z.string().max(100) }, async ({ text }) => ({ text, sha256: await digest(text) }));

export default app;
