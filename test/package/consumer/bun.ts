// The consumer's app on Bun, from the installed package.
import app from "./app.js";

const server = app.runWith(Bun.serve({ port: 0, fetch: app.fetch }));
console.log(`Listening on ${server.url}`);
