// docs/examples/exception-handlers.ts: errors answered your way, by class or by status.
import { z } from "zod";
import { HTTPException, RequestValidationError, Spry, json } from "spry";

class OutOfStock extends Error {
  readonly item: number;
  constructor(item: number) {
    super(`Item ${item} is out of stock`);
    this.item = item;
  }
}

const app = new Spry();

// A 400 with your own shape instead of the 422.
app.exceptionHandler(RequestValidationError, (error) => json({ errors: error.errors.length }, { status: 400 }));
// Any 404: spry's own for unknown paths, and an HTTPException(404) a route raises.
app.exceptionHandler(404, (_error, ctx) => json({ message: `No ${ctx.path}` }, { status: 404 }));
// Your own error class, and its subclasses.
app.exceptionHandler(OutOfStock, (error) => json({ item: error.item, detail: error.message }, { status: 409 }));

app.get("/items/{item_id}", { item_id: z.int() }, ({ item_id }) => {
  if (item_id === 7) throw new OutOfStock(item_id);
  if (item_id > 100) throw new HTTPException(404, "Item not found");
  return { item_id };
});

export default app;
