// The seed app in Hono 4, validating with zod through @hono/zod-validator, the combination
// Hono's docs show for typed params and queries. Served on Node by hono.mjs, on Bun by bun-hono.mjs.
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';

// SLOW_TASK_SECONDS=0 means no timer at all (not setTimeout(0)), as in every app here.
const SLOW_MS = Number(process.env.SLOW_TASK_SECONDS ?? 5) * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// zValidator answers failures with 400; the seed app's contract (FastAPI) is 422.
const as422 = (result, c) => {
  if (!result.success) return c.json({ detail: result.error.issues }, 422);
};

export const app = new Hono();

app.get(
  '/slow_task/:item_id',
  zValidator('param', z.object({ item_id: z.coerce.number().int() }), as422),
  zValidator('query', z.object({ q: z.string().optional() }), as422),
  async (c) => {
    const { item_id } = c.req.valid('param');
    const { q } = c.req.valid('query');
    if (SLOW_MS > 0) await sleep(SLOW_MS);
    return c.json({ item_id, q: q ?? null });
  },
);

app.get('/fast_task/', (c) => c.json({ message: 'This is fast!' }));
