// docs/examples/lifespan.ts: a lifespan whose yielded state is typed, and the routes that use it.
import { z } from "zod";
import { Spry, cookie, depends, file, form, json, type LifespanState } from "spry";
import { visitsRouter } from "./visits-router.ts";

/** Stands in for a connection pool: opened at startup, closed at shutdown. */
export class VisitStore {
  readonly #visits = new Map<string, number>();
  closed = false;
  visit(user: string): number {
    const count = (this.#visits.get(user) ?? 0) + 1;
    this.#visits.set(user, count);
    return count;
  }
  count(user: string): number {
    return this.#visits.get(user) ?? 0;
  }
  close(): void {
    this.closed = true;
  }
}

async function* lifespan() {
  const visits = new VisitStore(); // startup: open what the routes need
  yield { visits, startedAt: new Date() }; // this is app.state, typed
  visits.close(); // shutdown, after the last request
}

// Says once, for every module, what ctx.app.state holds: router modules need not import the app.
declare module "spry" {
  interface AppState extends LifespanState<typeof lifespan> {}
}

const app = new Spry({ lifespan });

// app.state.visits is a VisitStore here: no cast.
const visits = depends(() => app.state.visits);

app.post("/login", { username: form(z.string().min(1)) }, ({ username }) =>
  new Response(null, { status: 303, headers: { location: "/me", "set-cookie": `user=${username}; Path=/; HttpOnly` } }));

app.get("/me", { user: cookie(z.string().optional()), visits }, ({ user, visits }) =>
  user === undefined ? json({ detail: "Not logged in" }, { status: 401 }) : { user, visits: visits.visit(user) });

app.post("/avatar", { image: file({ contentTypes: ["image/*"] }) }, ({ image }) => ({ filename: image.filename, size: image.size }));

app.include(visitsRouter);

export default app;
