// spry: one route whose work sits in three nested dependencies (one with teardown), and the
// same route with that work inlined, to price the dependency machinery.
import { z } from "zod";
import { Spry, depends } from "spry";

const settings = depends(() => ({ prefix: "user" }));
const connection = depends({ settings }, function* connection({ settings }) {
  const conn = { prefix: settings.prefix, open: true };
  try {
    yield conn;
  } finally {
    conn.open = false;
  }
});
const currentUser = depends({ connection, id: z.int().default(1) }, ({ connection, id }) => ({ name: `${connection.prefix}-${id}`, open: connection.open }));

const app = new Spry({ logger: false });
app.get("/deps", { user: currentUser }, ({ user }) => user);
app.get("/inline", { id: z.int().default(1) }, ({ id }) => {
  const settings = { prefix: "user" };
  const conn = { prefix: settings.prefix, open: true };
  try {
    return { name: `${conn.prefix}-${id}`, open: conn.open };
  } finally {
    conn.open = false;
  }
});
app.get("/fast_task/", () => ({ message: "This is fast!" }));
export default app;
