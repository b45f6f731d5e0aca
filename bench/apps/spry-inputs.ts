// spry: a route with a dependency (it reads the X-Token header and answers 401 to a wrong one),
// a cookie and a header input beside a path parameter. bench/targets.mjs's `inputs` workload;
// fastify-inputs.mjs is the same route in Fastify.
import { z } from "zod";
import { HTTPException, Spry, cookie, depends, header } from "spry";

const currentUser = depends({ x_token: header(z.string()) }, ({ x_token }) => {
  if (x_token !== "secret-token") throw new HTTPException(401, "Invalid token");
  return { name: "ada" };
});

const app = new Spry({ logger: false });
app.get("/items/{item_id}", {
  item_id: z.int(),
  session: cookie(z.string()),
  user_agent: header(z.string()),
  user: currentUser,
}, ({ item_id, session, user_agent, user }) => ({ item_id, session, user_agent, user: user.name }));
app.get("/fast_task/", () => ({ message: "This is fast!" }));
export default app;
