// docs/examples/links.ts: links to named routes, right behind a proxy that serves the app under a prefix.
import { z } from "zod";
import { Spry } from "spry";

const Item = z.object({ name: z.string() });
const items = new Map<number, z.infer<typeof Item>>();

// Behind a proxy that strips /shop (spry run --root-path /shop sets the same).
const app = new Spry({ rootPath: "/shop" });

// Named by its function's name: "readItem". `{ name: "..." }` in the options names it otherwise.
app.get("/items/{item_id}", { item_id: z.int() }, function readItem({ item_id }) {
  return items.get(item_id) ?? null;
});

app.post("/items", { item: Item }, ({ item }, ctx) => {
  const id = items.size + 1;
  items.set(id, item);
  // An absolute URL, with the scheme and host the client used and the proxy's prefix.
  return new Response(null, { status: 201, headers: { location: ctx.urlFor("readItem", { item_id: id }).href } });
});

// A path without the prefix, as FastAPI's app.url_path_for gives it: "/items/1".
export const firstItemPath = app.urlPathFor("readItem", { item_id: 1 });

export default app;
