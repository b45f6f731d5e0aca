// spry on Bun: an app (SPRY_APP, the path of the seed app compiled to JavaScript) served by
// Bun.serve through app.fetch, with app.runWith tying its lifespan to the server, as
// docs/runtimes.md shows.
const { default: app } = await import(process.env.SPRY_APP);

app.runWith(Bun.serve({ port: Number(process.env.PORT ?? 8000), hostname: process.env.HOST ?? '127.0.0.1', fetch: app.fetch }));
