// What a consumer's compiler sees: the inferred handler types, and an undeclared input rejected.
import { z } from "zod";
import { Spry, HTTPException, type InferInputs } from "spry";
import { TestClient } from "spry/testing";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

export const app = new Spry({
  async *lifespan() {
    yield { pool: { queries: 0 } };
  },
});

const inputs = { item_id: z.int(), q: z.string().nullable().default(null) };

app.get("/items/{item_id}", inputs, ({ item_id, q }) => {
  expectType<Equal<typeof item_id, number>>();
  expectType<Equal<typeof q, string | null>>();
  expectType<Equal<InferInputs<"/items/{item_id}", typeof inputs>, { item_id: number; q: string | null }>>();
  if (item_id < 0) throw new HTTPException(404, "Item not found");
  return { item_id, q, queries: ++app.state.pool.queries };
});

app.get("/users/{user_id}", { user_id: z.int() }, (declared) => {
  // @ts-expect-error: `name` is not a declared input
  return declared.name;
});

export async function first(): Promise<number> {
  await using client = await TestClient.open(app);
  const response = await client.get("/items/1");
  const headers: string[] = [];
  for (const [name] of response.headers) headers.push(name);
  return headers.length;
}
