import { parseArgs } from "node:util";
import { loadApp } from "./load-app.ts";
import { serve } from "./serve.ts";
import { runDev } from "./dev.ts";

const USAGE = `Usage:
  spry run FILE [--host HOST] [--port PORT]   serve the app FILE exports (production)
  spry dev FILE [--host HOST] [--port PORT] [--watch DIR]...
                                              serve it and restart when a file changes

FILE is a .ts or .js module that does \`export default app\`.
HOST and PORT default to the HOST and PORT environment variables, else 127.0.0.1:8000.
--watch defaults to the directory of FILE.`;

/** The `spry` command. Returns the process exit code for usage errors; serving never returns. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        watch: { type: "string", multiple: true },
      },
    });
  } catch (error) {
    console.error(`spry: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined || (command !== "run" && command !== "dev")) {
    console.error(USAGE);
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    console.error(`spry: --port must be a port number, got ${JSON.stringify(values.port)}`);
    return 2;
  }
  if (command === "dev") {
    return runDev(file, rest, values.watch ?? []);
  }
  const app = await loadApp(file);
  await serve(app, { host: values.host, port });
  return 0;
}
