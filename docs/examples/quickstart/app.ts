// docs/examples/quickstart/app.ts: a whole app (app.ts in your project).
import { z } from "zod";
import { Spry } from "spry";

const app = new Spry();
app.get("/items/{item_id}", { item_id: z.int(), q: z.string().optional() }, ({ item_id, q }) => ({ item_id, q }));
export default app;
