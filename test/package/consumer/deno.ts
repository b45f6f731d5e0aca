// The consumer's app on Deno, from the installed package.
import app from "./app.js";

app.runWith(Deno.serve({ port: 0 }, app.fetch));
