// docs/examples/runtimes/bun.ts: `bun docs/examples/runtimes/bun.ts` serves the app on Bun.
import app from "./app.ts";

const server = app.runWith(Bun.serve({ port: Number(process.env.PORT ?? 8000), ...app.bun }));
console.log(`Listening on ${server.url}`);
