// spry on Bun: an app (SPRY_APP, the path of the seed app compiled to JavaScript) served by
// Bun.serve through `...app.bun` (Bun's router for the paths without parameters, app.fetch for
// the rest), with app.runWith tying its lifespan to the server, as docs/runtimes.md shows.
// SPRY_BUN_FETCH=1 serves it through app.fetch alone, the road of every other Fetch host (and
// of a committed spry older than app.bun).
const { default: app } = await import(process.env.SPRY_APP);

const handlers = process.env.SPRY_BUN_FETCH === '1' || app.bun === undefined ? { fetch: app.fetch } : app.bun;
app.runWith(Bun.serve({ port: Number(process.env.PORT ?? 8000), hostname: process.env.HOST ?? '127.0.0.1', ...handlers }));
