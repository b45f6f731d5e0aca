// docs/examples/param-models.ts: query, header and cookie models, each field a parameter.
import { z } from "zod";
import { Spry, cookie, header, query } from "spry";

const FilterParams = z.object({
  limit: z.int().gt(0).max(100).default(100),
  offset: z.int().min(0).default(0),
  order_by: z.enum(["created_at", "updated_at"]).default("created_at"),
  tags: z.array(z.string()).default([]), // ?tags=a&tags=b
});

// A strict object refuses keys it does not declare: extra_forbidden, as pydantic's extra="forbid".
const SearchParams = z.strictObject({
  q: z.string().min(1),
  page: z.int().min(1).default(1),
});

const CommonHeaders = z.object({
  host: z.string(),
  save_data: z.boolean(), // read from the Save-Data header
  if_modified_since: z.string().nullable().default(null),
  x_tag: z.array(z.string()).default([]), // every X-Tag header, in order
});

const Session = z.object({
  session_id: z.string(),
  tracker: z.string().nullable().default(null),
});

const app = new Spry();

app.get("/items/", { filter: query(FilterParams) }, ({ filter }) => filter);
app.get("/search/", { search: query(SearchParams) }, ({ search }) => search);
app.get("/lookup/", {
  lookup: query(z.object({ item_query: z.string() }), { aliases: { item_query: "item-query" } }),
}, ({ lookup }) => lookup);
app.get("/headers/", { headers: header(CommonHeaders) }, ({ headers }) => headers);
app.get("/cookies/", { session: cookie(Session) }, ({ session }) => session);

export default app;
