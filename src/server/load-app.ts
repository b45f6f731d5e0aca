import { statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { importFile, NeedsTsx } from "../common/import-file.mjs";
import type { Servable } from "../toolkit/servable.ts";
import { LoadError } from "./load-error.ts";

export { LoadError };


/**
 * Imports the user's module and finds the app in it: `export default app`, or `export const app`.
 * `.ts` files load through Node's own type stripping, or tsx where that cannot serve
 * (common/import-file.mjs).
 */
export async function loadApp(file: string): Promise<Servable> {
  let module: Record<string, unknown>;
  try {
    module = await importFile(pathToFileURL(appFile(file)).href);
  } catch (error) {
    if (error instanceof NeedsTsx) throw new LoadError(error.message, { cause: error });
    const site = syntaxErrorSite(error);
    if (site !== undefined) throw new LoadError(`cannot load ${file}: ${site}: ${(error as Error).message}`, { cause: error });
    throw error;
  }
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

/**
 * Where a syntax error is, as file:line:column, when Node found it while parsing a module (its
 * type stripping, or V8 for JavaScript): the stack then starts with the file's URL and line,
 * the source line and a caret under the column. The stack past that is Node's own, not the app's.
 */
function syntaxErrorSite(error: unknown): string | undefined {
  if (!(error instanceof SyntaxError) || error.stack === undefined) return undefined;
  const [first, ...rest] = error.stack.split("\n");
  const where = /^(file:\/\/\S+?):(\d+)$/.exec(first!);
  if (where === null) return undefined;
  const caret = rest.find((line) => /^\s*\^+\s*$/.test(line));
  const path = relative(process.cwd(), fileURLToPath(where[1]!));
  return `${path.startsWith("..") ? fileURLToPath(where[1]!) : path}:${where[2]}${caret === undefined ? "" : `:${caret.indexOf("^") + 1}`}`;
}
