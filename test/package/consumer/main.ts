// `spry run main.ts` and `spry dev main.ts`: TypeScript without a build step, and without tsx.
import { z } from "zod";
import { Spry } from "spry";

interface Greeting {
  readonly message: string;
}

const greeting: Greeting = { message: "first version" };

const app = new Spry();
app.get("/items/{item_id}", { item_id: z.int() }, ({ item_id }): { item_id: number } => ({ item_id }));
app.get("/greeting", (): Greeting => greeting);

export default app;
