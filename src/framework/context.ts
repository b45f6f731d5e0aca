import type { BackgroundTasks } from "../tasks/background-tasks.ts";
import { currentContext as currentRequest } from "../toolkit/request-context.ts";
import type { SpryRequest } from "../toolkit/request.ts";

/**
 * What a handler (and a dependency) receives as its second argument: the request, read-only
 * (method, path, query, headers, cookies, body, client, signal, state), plus what the request's
 * scope offers for after the response: `tasks` (background tasks), `defer`, and `setHeader`
 * for whatever response answers it. Destructure what you need:
 *
 * @example
 * app.get("/items/{id}", { id: z.int() }, async ({ id }, { signal, tasks, fetch }) => {
 *   const item = await (await fetch(`${UPSTREAM}/items/${id}`, { signal })).json();
 *   await tasks.add(audit, id);
 *   return item;
 * });
 */
export type Context = SpryRequest<BackgroundTasks>;

/**
 * The context of the request being handled, from anywhere below it (a logger, a data layer),
 * through AsyncLocalStorage. Needs `new Spry({ requestContext: true })`. See toolkit/request-context.ts.
 *
 * @example
 * const app = new Spry({ requestContext: true });
 * function audit(message: string) {
 *   const ctx = currentContext();
 *   console.log(`${ctx.method} ${ctx.path}: ${message}`);
 * }
 */
export const currentContext: () => Context = currentRequest;
