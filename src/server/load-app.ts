import { statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Servable } from "./serve.ts";

/** A failure the user can act on from its message alone: the CLI prints it as one line, without a stack. */
export class LoadError extends Error {
  override readonly name = "LoadError";
}

/**
 * Imports the user's module and finds the app in it: `export default app`, or `export const app`.
 * `.ts` files load directly: the CLI runs under tsx.
 */
export async function loadApp(file: string): Promise<Servable> {
  const path = resolve(file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new LoadError(`${file}: no such file`);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  // A file outside any "type": "module" package is compiled to CommonJS, and importing that
  // yields its exports object as `default`, one level further down.
  const cjs = (module.default ?? {}) as Record<string, unknown>;
  for (const candidate of [module.default, module.app, cjs.default, cjs.app]) {
    if (isServable(candidate)) return candidate;
  }
  throw new LoadError(`${file} exports no app: add \`export default app\` (or \`export const app\`)`);
}

function isServable(value: unknown): value is Servable {
  return typeof (value as Servable | undefined)?.handleNode === "function";
}
