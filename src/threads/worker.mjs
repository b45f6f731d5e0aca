// The entry piscina loads in each of spry's worker threads. Plain JavaScript, because it runs
// before anything can load TypeScript: Node 20 does not give worker threads the main thread's
// module hooks (checked on 20.20: with `--import tsx`, or tsx registered by the main thread, a
// worker's import of a .ts file still fails with ERR_UNKNOWN_FILE_EXTENSION), so a thread
// that must load TypeScript (spry's own sources, or the module defining the function) registers
// tsx itself, once, on its first task. Registering costs about 100 ms, paid once per thread.
import { workerData } from "node:worker_threads";

const TYPESCRIPT = /\.[cm]?tsx?$/;
const { runTask: runTaskUrl } = workerData.spry;

let typescript;
let runner;

// Bun and Deno load TypeScript themselves. tsx registered in a Deno worker breaks its require()
// of JSON files: piscina's and pino's `require("../package.json")` fail with "Unexpected token ':'".
const NATIVE_TYPESCRIPT = "Bun" in globalThis || "Deno" in globalThis;

function loadsTypeScript(url) {
  if (NATIVE_TYPESCRIPT) return false;
  return TYPESCRIPT.test(new URL(url).pathname);
}

function registerTypeScript() {
  return (typescript ??= import("tsx/esm/api").then(({ register }) => {
    register();
  }));
}

export default async function run(task) {
  if (loadsTypeScript(task.module)) await registerTypeScript();
  runner ??= (loadsTypeScript(runTaskUrl) ? registerTypeScript() : Promise.resolve()).then(() => import(runTaskUrl));
  return (await runner).runTask(task);
}
