// spry: the same route without and with one in-process background task (a trivial one), to
// price `ctx.tasks.add` on the request path. Target: /task costs at most 2% (>= 0.98x /plain).
import { Spry, task } from "spry";

let counted = 0;
const count = task(import.meta.url, function count() {
  counted++;
});

const app = new Spry({ logger: false });
app.get("/plain", () => ({ ok: true }));
app.get("/task", (_, { tasks }) => {
  tasks.add(count);
  return { ok: true };
});
// To check by hand, after a run, that the tasks did run: one per /task request.
app.get("/counted", () => ({ counted }));
app.get("/fast_task/", () => ({ message: "This is fast!" }));
export default app;
