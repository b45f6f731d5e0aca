// docs/examples/routers.ts: routes grouped under a prefix and tags, then included.
import { z } from "zod";
import { Router, Spry } from "spry";

const items = new Router({ prefix: "/items", tags: ["items"] });
items.get("/", () => [{ id: 1 }, { id: 2 }]);
items.get("/{item_id}", { item_id: z.int() }, ({ item_id }) => ({ id: item_id }));

const files = new Router({ prefix: "/files", tags: ["files"] });
files.get("/{file_path:path}", ({ file_path }) => ({ file_path })); // the rest of the path, slashes included

const app = new Spry();
app.include(items, { prefix: "/v1" });
app.include(files);

export default app;
