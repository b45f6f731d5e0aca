// Elysia on Bun: the seed app with Elysia's own schemas (TypeBox through `t`), which it compiles
// into its validators, coercing the path parameter, and into the response's check.
import { Elysia, t } from 'elysia';

// SLOW_TASK_SECONDS=0 means no timer at all (not setTimeout(0)), as in every app here.
const SLOW_MS = Number(process.env.SLOW_TASK_SECONDS ?? 5) * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

new Elysia()
  .get('/slow_task/:item_id', async ({ params, query }) => {
    if (SLOW_MS > 0) await sleep(SLOW_MS);
    return { item_id: params.item_id, q: query.q ?? null };
  }, {
    params: t.Object({ item_id: t.Integer() }),
    query: t.Object({ q: t.Optional(t.String()) }),
    response: t.Object({ item_id: t.Integer(), q: t.Nullable(t.String()) }),
  })
  .get('/fast_task/', () => ({ message: 'This is fast!' }), { response: t.Object({ message: t.String() }) })
  .listen({ port: Number(process.env.PORT ?? 8000), hostname: process.env.HOST ?? '127.0.0.1' });
