// docs/examples/responses.ts: return values, status codes, Responses and HTTPException.
import { z } from "zod";
import { HTTPException, Spry } from "spry";

const app = new Spry();
const items = new Map([[1, { name: "Hammer", price: 9.5 }]]);

app.get("/items/{item_id}", { item_id: z.int() }, ({ item_id }) => {
  const item = items.get(item_id);
  if (item === undefined) throw new HTTPException(404, "Item not found", { "x-error": "missing" });
  return item; // sent as JSON, status 200
});

app.post("/items/", { name: z.string(), price: z.number().positive() }, ({ name, price }) => {
  const id = items.size + 1;
  items.set(id, { name, price });
  return { id, name, price };
}, { status: 201 });

app.delete("/items/{item_id}", { item_id: z.int() }, ({ item_id }) => {
  items.delete(item_id);
}, { status: 204 }); // 204 sends no body

app.get("/report.csv", () => new Response("name,price\nHammer,9.5\n", { headers: { "content-type": "text/csv" } }));

export default app;
