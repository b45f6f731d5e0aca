// Hono 4 on Bun: the seed app of hono-app.mjs served by Bun.serve.
import { app } from './hono-app.mjs';

Bun.serve({ port: Number(process.env.PORT ?? 8000), hostname: process.env.HOST ?? '127.0.0.1', fetch: app.fetch });
