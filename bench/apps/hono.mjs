// Hono 4 on @hono/node-server: the seed app of hono-app.mjs on Node.
import { serve } from '@hono/node-server';
import { app } from './hono-app.mjs';

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? '127.0.0.1';

serve({ fetch: app.fetch, port: PORT, hostname: HOST }, (info) => {
  console.log(`hono listening on http://${HOST}:${info.port}`);
});
