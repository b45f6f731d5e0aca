// The app the typed client's tests call (in Node and in Chromium): a route for each kind of
// input, each answering with what it received, so a test sees exactly what went on the wire.
import { z } from "zod";
import { Router, Spry, body, cookie, depends, file, files, form, header, json, query, sleep } from "spry";

export const Item = z.object({ id: z.int(), name: z.string(), price: z.number() });
const ItemIn = z.object({ name: z.string(), price: z.number().positive() });
const Message = z.object({ message: z.string() });

const token = depends({ x_token: header(z.string()) }, ({ x_token }) => x_token);
const page = depends({ skip: z.int().default(0), limit: z.int().default(10) }, (p) => p);

const items = new Router({ prefix: "/items", tags: ["items"] })
  .get("/{item_id}", { item_id: z.int(), q: z.string().optional(), token }, ({ item_id, q }) =>
    item_id === 404 ? json({ message: `no item ${item_id}` }, { status: 404 }) : { id: item_id, name: q ?? "thing", price: 1.5, secret: "stripped" }, {
    response: Item,
    responses: { 404: { model: Message } },
  })
  .post("/", { item: ItemIn }, ({ item }) => ({ id: 1, ...item }), { response: Item, status: 201 })
  .get("/", { page, tag: z.array(z.string()).default([]) }, ({ page, tag }) => ({ ...page, tag }));

export function echoApp() {
  return new Spry({ logger: false })
    .put(
      "/users/{user_id}/files/{file_path:path}",
      {
        user_id: z.int(),
        user_agent: header(z.string()),
        trace: header(z.string().optional(), { alias: "X-Trace-Id" }),
        session: cookie(z.string()),
        search: query(z.string().optional(), { alias: "search-term" }),
        note: body(z.string()),
        importance: body(z.int()),
      },
      (inputs) => inputs,
    )
    .post("/login", { username: form(z.string()), password: form(z.string()), remember: form(z.boolean().default(false)) }, (inputs) => inputs)
    .post("/upload", { doc: file(), photos: files({ required: false }), title: form(z.string()) }, async ({ doc, photos, title }) => ({
      title,
      doc: { filename: doc.filename, type: doc.contentType, text: await doc.text() },
      photos: photos.map((p) => p.filename),
    }))
    .delete("/items/{item_id}", { item_id: z.int() }, () => null, { status: 204 })
    .get("/slow", async (_, { signal }) => {
      await sleep(10_000, { signal });
      return { done: true };
    })
    .get("/boom", () => {
      throw new Error("boom");
    })
    .get("/text", () => new Response("plain words", { headers: { "content-type": "text/plain" } }))
    .include(items)
    .include(items, { prefix: "/v1" });
}

export type EchoApp = ReturnType<typeof echoApp>;
