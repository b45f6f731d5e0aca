// spry: a password hash served through the worker thread pool (/hash) and on the event loop
// (/hash-loop), beside the article's /fast_task/. THREADS sets the pool's size.
import { z } from "zod";
import { Spry } from "../../src/index.ts";
import { hashInPool, hashPassword } from "./threads-hash.ts";

const inputs = { password: z.string().default("correct horse battery staple") };
const app = new Spry({ logger: false, threads: { size: Number(process.env.THREADS ?? 2) } });
app.get("/hash", inputs, hashInPool);
app.get("/hash-loop", inputs, hashPassword);
app.get("/fast_task/", () => ({ message: "This is fast!" }));

export default app;
