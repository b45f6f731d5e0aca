// docs/examples/middleware.ts: spry's built-in middleware (trustedHost, cors, compress) and one of your own.
import { z } from "zod";
import { HTTPException, Spry, type Middleware } from "spry";
import { compress, cors, trustedHost } from "spry/middleware";

// Your own: how long the app took, as a Server-Timing header on every response. next() gives
// the response of the layers inside, whoever made it: a route, an error, a refusal.
const timing: Middleware = async (_request, next) => {
  const start = performance.now();
  const response = await next();
  response.headers["server-timing"] = `app;dur=${(performance.now() - start).toFixed(1)}`;
  return response;
};

const app = new Spry({ title: "Middleware example" });

// The first use() is the outermost layer: a request meets these in this order.
app.use(timing);
app.use(trustedHost({ allowedHosts: ["example.com", "*.example.com", "localhost", "127.0.0.1"] }));
app.use(cors({
  allowOrigins: ["https://app.example.com"],
  allowMethods: ["GET", "POST"],
  allowHeaders: ["authorization"],
  allowCredentials: true,
  exposeHeaders: ["server-timing"],
}));
app.use(compress());

const items = Array.from({ length: 50 }, (_, id) => ({ id, name: `Item ${id}` }));

app.get("/items", () => items);
app.get("/items/{item_id}", { item_id: z.int() }, ({ item_id }) => {
  const item = items[item_id];
  if (item === undefined) throw new HTTPException(404, "Item not found");
  return item;
});

export default app;
