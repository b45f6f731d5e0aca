// docs/examples/visits-router.ts: a router module that reads the app's typed state from the request.
import { z } from "zod";
import { Router } from "spry";

export const visitsRouter = new Router({ prefix: "/visits", tags: ["visits"] });

// ctx.app.state is typed by the app's AppState (see lifespan.ts), and this module imports no app.
visitsRouter.get("/{user}", { user: z.string() }, ({ user }, ctx) => ({
  user,
  visits: ctx.app.state.visits.count(user),
  since: ctx.app.state.startedAt.toISOString(),
}));
