// A consumer's app in plain JavaScript, importing spry as installed from its tarball.
import { z } from "zod";
import { Spry } from "spry";

const app = new Spry({
  logger: false,
  async *lifespan() {
    yield { greeting: "hello" };
  },
});

app.get("/items/{item_id}", { item_id: z.int(), q: z.string().nullable().default(null) }, ({ item_id, q }) => ({ item_id, q }));
app.get("/greeting", () => ({ greeting: app.state.greeting }));

export default app;
