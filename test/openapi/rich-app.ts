// An app that uses every part of the OpenAPI generator at once, so that the tests which hand
// its document to real tools (a validator, a client generator) cover more than the seed app's
// two GET routes: every parameter location, named models nested in each other, embedded and
// form bodies, per-status response models, a bodiless 204, tags, deprecation, a hidden route
// and a prefixed router.
import { z } from "zod";
import { HTTPException, Router, Spry, body, cookie, form, header, json, query } from "spry";

export const Tag = z.object({ name: z.string(), color: z.string().optional() }).meta({ id: "Tag" });

export const Item = z
  .object({
    name: z.string().min(1),
    price: z.number().positive(),
    description: z.string().nullable().default(null),
    tags: z.array(Tag).default([]),
  })
  .meta({ id: "Item" });

// Item nested in another named model: both must become components, the outer one referring
// to the inner by $ref.
export const Order = z
  .object({
    order_id: z.int(),
    items: z.array(Item),
    note: z.string().optional(),
  })
  .meta({ id: "Order" });

export const Message = z.object({ detail: z.string() }).meta({ id: "Message" });

export const ItemOut = z.object({ item_id: z.int(), name: z.string(), price: z.number() }).meta({ id: "ItemOut" });

export function richApp(): Spry {
  const app = new Spry({ title: "Rich app", version: "1.2.3", description: "Every OpenAPI feature spry has", logger: false });
  const items = new Map<number, { name: string; price: number }>([[1, { name: "Hammer", price: 9.5 }]]);

  /**
   * Read an item
   *
   * Every parameter location at once: path, query, header and cookie.
   */
  app.get("/items/{item_id}", {
    item_id: z.int().min(1),
    q: z.string().optional(),
    limit: z.int().max(100).default(10),
    tags: z.array(z.string()).default([]),
    item_query: query(z.string().optional(), { alias: "item-query", description: "An aliased query parameter" }),
    user_agent: header(z.string().optional()),
    x_token: header(z.string(), { description: "A required header" }),
    session_id: cookie(z.string().optional()),
  }, ({ item_id }) => {
    const item = items.get(item_id);
    if (item === undefined) return json({ detail: "Item not found" }, { status: 404 });
    return { item_id, ...item };
  }, { response: ItemOut, responses: { 404: { model: Message, description: "No such item" } }, tags: ["items"] });

  app.post("/items/", { item: Item }, ({ item }) => {
    const item_id = items.size + 1;
    items.set(item_id, item);
    return { item_id, ...item };
  }, { status: 201, response: ItemOut, tags: ["items"], summary: "Create an item" });

  // Two body inputs are embedded by name: {"item": {...}, "importance": 5}.
  app.put("/items/{item_id}", { item_id: z.int(), item: Item, importance: body(z.int().min(1)) }, ({ item_id, item, importance }) => ({
    item_id,
    item,
    importance,
  }), { tags: ["items"] });

  // One body input, embedded on request: {"order": {...}}.
  app.post("/orders/", { order: body(Order, { embed: true }) }, ({ order }) => order, { response: Order, tags: ["orders"] });

  app.post("/login", { username: form(z.string()), password: form(z.string().min(8)), remember: form(z.boolean().default(false)) }, ({ username }) => ({
    username,
  }), { tags: ["auth"] });

  app.delete("/items/{item_id}", { item_id: z.int() }, ({ item_id }) => {
    if (!items.delete(item_id)) throw new HTTPException(404, "Item not found");
  }, { status: 204, tags: ["items"], responses: { 404: { model: Message } } });

  app.get("/legacy/items", () => [...items.values()], { deprecated: true, tags: ["items"], description: "Use /items/{item_id}" });

  // A query and a header model: each field is its own parameter in the document.
  app.get("/search", {
    filter: query(z.strictObject({ q: z.string(), page: z.int().min(1).default(1), tags: z.array(z.string()).default([]) })),
    client: header(z.object({ x_client: z.string().optional() })),
  }, ({ filter }) => filter, { tags: ["items"] });
  app.get("/internal/metrics", () => ({ requests: 0 }), { includeInSchema: false });

  const users = new Router({ prefix: "/users", tags: ["users"] });
  users.get("/{user_id}", { user_id: z.string().uuid() }, ({ user_id }) => ({ user_id }));
  users.get("/", { page: z.int().min(1).default(1) }, ({ page }) => ({ page, users: [] }));
  app.include(users, { prefix: "/v1" });

  return app;
}
