// docs/examples/strict.ts: JSON bodies in lax mode (FastAPI's default) and in strict mode.
import { z } from "zod";
import { Spry } from "spry";

const Order = z.object({
  quantity: z.int().min(1),
  price: z.number(),
  gift: z.boolean().default(false),
}).meta({ id: "Order" });

// pydantic's `model_config = ConfigDict(strict=True)`: this model's fields take JSON's own types only.
const StrictOrder = Order.meta({ id: "StrictOrder", strict: true });

const app = new Spry();

// Lax: {"quantity": "2", "price": "9.5", "gift": "yes"} is {quantity: 2, price: 9.5, gift: true}.
app.post("/orders/", { order: Order }, ({ order }) => order);

// Strict by the model: "2" for `quantity` is int_type.
app.post("/strict/orders/", { order: StrictOrder }, ({ order }) => order);

// Strict by the route (or for every route: `new Spry({ strict: true })`).
app.post("/v2/orders/", { order: Order }, ({ order }) => order, { strict: true });

export default app;
