import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Servable } from "./serve.ts";

/**
 * Imports the user's module and finds the app in it: `export default app`, or `export const app`.
 * `.ts` files load directly: the CLI runs under tsx.
 */
export async function loadApp(file: string): Promise<Servable> {
  const url = pathToFileURL(resolve(file)).href;
  const module = (await import(url)) as Record<string, unknown>;
  for (const candidate of [module.default, module.app]) {
    if (isServable(candidate)) return candidate;
  }
  throw new Error(`${file} exports no app: add \`export default app\` (or \`export const app\`)`);
}

function isServable(value: unknown): value is Servable {
  return typeof (value as Servable | undefined)?.handleNode === "function";
}
