// docs/examples/serve.ts: serving from code instead of the CLI, with limits of your own.
import { serve } from "spry/server";
import app from "../../examples/seed/main.ts";

export async function start(port = 8000) {
  return serve(app, {
    port,
    headersTimeout: 30_000, // 408 if the request head takes longer (default 60 s)
    keepAliveTimeout: 2_000, // idle keep-alive connections close after 2 s (default 5 s)
    gracePeriod: 5_000, // on SIGTERM, in-flight requests get 5 s to finish (default 10 s)
  });
}
