// docs/examples/threads.ts: an app sending its blocking work to the pool.
import { z } from "zod";
import { HTTPException, Spry, depends, header, threadPool, transfer } from "spry";
import { checksum, checksumInputs, hashPassword, invert, verifyPassword } from "./hashing.ts";

const users = new Map<string, string>();

// The process's pool, which threaded calls from anywhere use: two threads; past 64 waiting
// calls, 503 with Retry-After instead of an ever longer queue. (`new Spry({ threads })` would
// give the app a pool of its own, for its threaded routes and dependencies.)
threadPool.configure({ size: 2, maxQueue: 64 });
const app = new Spry();

// Await a threaded function from any handler; with the request's signal, a call still queued
// when the client leaves is dropped.
app.post("/users/", { user: z.object({ username: z.string(), password: z.string().min(8) }) }, async ({ user }, { signal }) => {
  users.set(user.username, await hashPassword.with({ signal })(user.password));
  return { username: user.username };
});

// A dependency whose function is threaded runs in the pool too.
const currentUser = depends({ authorization: header(z.string()) }, async ({ authorization }) => {
  const [username = "", password = ""] = Buffer.from(authorization.replace(/^Basic /, ""), "base64").toString().split(":");
  const stored = users.get(username);
  if (stored === undefined || !(await verifyPassword(password, stored))) throw new HTTPException(401, "Bad credentials");
  return username;
});
app.get("/me", { user: currentUser }, ({ user }) => ({ username: user }));

// A threaded handler: the whole route runs in the pool, like a `def` endpoint in FastAPI.
app.get("/checksum/{text}", checksumInputs, checksum);

// The body's bytes are moved to the thread and back, never copied.
app.post("/invert", async (_, ctx) => {
  const inverted = await invert(transfer(await ctx.body()));
  return new Response(inverted, { headers: { "content-type": "application/octet-stream" } });
});

// Saturation, for a dashboard or an autoscaler.
app.get("/metrics/threads", () => threadPool.stats());

export default app;
