// docs/examples/inputs.ts: every input location, converted by its declared type.
import { z } from "zod";
import { Spry, cookie, header, query } from "spry";

const app = new Spry();

app.get("/items/{item_id}", {
  item_id: z.int().min(1), // named in the path template: a path parameter
  q: z.string().optional(), // anything else: a query parameter
  limit: z.int().max(100).default(10),
  tags: z.array(z.string()).default([]), // ?tags=a&tags=b
  sort: z.enum(["asc", "desc"]).default("asc"),
  user_agent: header(z.string().optional()), // the User-Agent header
  session_id: cookie(z.string().optional()),
  item_query: query(z.string().optional(), { alias: "item-query" }),
}, (inputs) => inputs);

export default app;
