import { statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { importFile } from "./import-file.mjs";
import type { Servable } from "./serve.ts";
import { LoadError } from "./load-error.ts";

export { LoadError };


/**
 * Imports the user's module and finds the app in it: `export default app`, or `export const app`.
 * `.ts` files load directly: the CLI runs under tsx.
 */
export async function loadApp(file: string): Promise<Servable> {
  const module = await importFile(pathToFileURL(appFile(file)).href);
  for (const candidate of [module.default, module.app]) {
    if (isServable(candidate)) return candidate;
  }
  throw new LoadError(`${file} exports no app: add \`export default app\` (or \`export const app\`)`);
}

function isServable(value: unknown): value is Servable {
  return typeof (value as Servable | undefined)?.handleNode === "function";
}

/** The absolute path of FILE, checked first: Node's own "Cannot find module" comes with a stack and the importer's path. */
export function appFile(file: string): string {
  const path = resolve(file);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new LoadError(`${file}: no such file`);
  if (!stats.isFile()) throw new LoadError(`${file} is not a file`);
  return path;
}
