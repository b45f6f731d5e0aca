// docs/examples/toolkit.ts: the toolkit without Spry: routes, middleware and endpoints that return responses.
import { HTTPException, SpryResponse, ToolkitApp, jsonResponse, textResponse, type Middleware } from "spry/toolkit";

const items = new Map([[1, { id: 1, name: "Hammer" }]]);

// Middleware: the same `(request, next) => response` as in a Spry app.
const poweredBy: Middleware = async (_request, next) => {
  const response = await next();
  response.headers["x-powered-by"] = "spry toolkit";
  return response;
};

const app = new ToolkitApp({ logger: false })
  .use(poweredBy)
  .route("GET", "/", () => textResponse(200, "Hello from the toolkit"))
  .route("GET", "/items/{item_id}", (request) => {
    // No schemas here: path parameters are strings, checked by hand.
    const item = items.get(Number(request.params.item_id));
    if (item === undefined) throw new HTTPException(404, "Item not found");
    return jsonResponse(200, item);
  })
  .route("POST", "/echo", async (request) => new SpryResponse(200, { "content-type": request.header("content-type") ?? "application/octet-stream" }, await request.body()))
  // A Fetch API Response is a response too.
  .route("GET", "/health", () => new Response("ok"))
  .exceptionHandler(404, () => jsonResponse(404, { message: "Nothing here" }));

export default app;
