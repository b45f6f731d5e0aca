// spry: a ten-field JSON model validated on the way in and echoed through a response model
// (validated, stripped, serialized by the serializer compiled from it).
import { z } from "zod";
import { Spry } from "spry";

const Item = z.object({
  id: z.int(),
  name: z.string(),
  email: z.string(),
  age: z.int(),
  score: z.number(),
  active: z.boolean(),
  tags: z.array(z.string()),
  address: z.object({ street: z.string(), city: z.string(), zip: z.string() }),
  nickname: z.string().nullable(),
  role: z.enum(["admin", "user"]),
});

const app = new Spry({ logger: false });
app.post("/items/", { item: Item }, ({ item }) => item, { response: Item });
app.get("/fast_task/", () => ({ message: "This is fast!" }));
export default app;
