// docs/examples/client-app.ts: an app declared by chaining, so that its type carries its routes.
import { z } from "zod";
import { Router, Spry, header, json } from "spry";

const Item = z.object({ id: z.int(), name: z.string(), price: z.number() });
const ItemIn = z.object({ name: z.string(), price: z.number().positive() });
const Message = z.object({ message: z.string() });
const stock = new Map([[1, { id: 1, name: "Hammer", price: 9.5 }]]);

const items = new Router({ prefix: "/items", tags: ["items"] })
  .get("/{item_id}", { item_id: z.int(), x_token: header(z.string()) }, ({ item_id }) =>
    stock.get(item_id) ?? json({ message: "Item not found" }, { status: 404 }), {
    response: Item,
    responses: { 404: { model: Message } },
  })
  .post("/", { item: ItemIn }, ({ item }) => {
    const made = { id: stock.size + 1, ...item };
    stock.set(made.id, made);
    return made;
  }, { response: Item, status: 201 });

export const app = new Spry().include(items, { prefix: "/v1" });
export type App = typeof app;
export default app;
