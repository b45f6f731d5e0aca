// docs/examples/bodies.ts: JSON bodies in, response models out.
import { z } from "zod";
import { Spry, body, json } from "spry";

const Item = z.object({
  name: z.string().min(1),
  price: z.number().positive(),
  tags: z.array(z.string()).default([]),
}).meta({ id: "Item" });

const UserIn = z.object({ username: z.string(), password: z.string().min(8) }).meta({ id: "UserIn" });
const UserOut = z.object({ id: z.int(), username: z.string() }).meta({ id: "UserOut" });
const Message = z.object({ message: z.string() }).meta({ id: "Message" });

const app = new Spry();
const users = new Map<number, { id: number; username: string; password_hash: string }>();

// An object schema is the JSON body, as a pydantic model is in FastAPI.
app.post("/items/", { item: Item }, ({ item }) => item, { status: 201, response: Item });

// Several body inputs are embedded by name: {"item": {...}, "importance": 5}.
app.put("/items/{item_id}", { item_id: z.int(), item: Item, importance: body(z.int().min(1)) },
  ({ item_id, item, importance }) => ({ item_id, ...item, importance }));

/** Create a user. The password hash never leaves the server: UserOut has no such field. */
app.post("/users/", { user: UserIn }, ({ user }) => {
  const created = { id: users.size + 1, username: user.username, password_hash: `hashed:${user.password}` };
  users.set(created.id, created);
  return created;
}, { status: 201, response: UserOut });

app.get("/users/{user_id}", { user_id: z.int() }, ({ user_id }) =>
  users.get(user_id) ?? json({ message: "User not found" }, { status: 404 }), {
  response: UserOut,
  responses: { 404: { model: Message, description: "No such user" } },
});

export default app;
