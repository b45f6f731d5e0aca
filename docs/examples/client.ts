// docs/examples/client.ts: the typed client, from the app's type alone (a browser, another service).
import { client } from "spry/client";
import type { App } from "./client-app.ts"; // a type: nothing of the server is loaded

export async function priceOf(baseUrl: string, id: number): Promise<number | undefined> {
  const api = client<App>(baseUrl, { headers: { "x-token": "secret" }, timeout: 5_000 });
  const res = await api.get("/v1/items/{item_id}", { path: { item_id: id }, headers: { "x-token": "secret" } });
  if (res.status === 404) return undefined; // res.data is { message: string }
  if (!res.ok) throw new Error(`GET /v1/items/${id} answered ${res.status}`);
  return res.data.price; // res.data is { id: number; name: string; price: number }
}

export async function addItem(baseUrl: string, name: string, price: number) {
  const api = client<App>(baseUrl);
  const res = await api.post("/v1/items/", { body: { name, price } });
  if (res.status === 422) return { errors: res.data.detail.map((error) => error.loc.join(".")) };
  if (res.status !== 201) throw new Error(`POST /v1/items/ answered ${res.status}`);
  return { item: res.data };
}
