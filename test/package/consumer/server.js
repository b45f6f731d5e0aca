// `node server.js`: no flags, no loader; stops gracefully on SIGTERM.
import { serve } from "spry/server";
import app from "./app.js";

const { url } = await serve(app, { port: Number(process.env.PORT ?? 8000) });
console.log(`Listening on ${url}`);
