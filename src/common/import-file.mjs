// How spry imports the user's modules (the app for `spry run`, `spry dev` and `spry worker`, and
// the module a worker thread runs a function from). Plain JavaScript, because it runs before
// anything can load TypeScript.
//
// Node (22.18 and newer) runs a .ts file itself by stripping its types. tsx, an optional peer,
// is registered only when that cannot serve: syntax that needs a transform (enum, namespace,
// parameter properties, decorators, `import x = require()`), or a Node without type stripping.
// Node reports both before the module graph runs, so the import is simply tried again once tsx
// is registered. Without tsx the error names the file, the syntax and the fix, in one line.
//
// The import itself happens in a JavaScript file because tsx reads `app.js` as `app.ts` when a
// TypeScript file imports it and both exist: `spry run app.js` must run app.js.

import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
// Node's own codes for what its type stripping cannot run.
const NEEDS_TRANSFORM = new Set(["ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX", "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING", "ERR_NO_TYPESCRIPT"]);
const FIX = "npm i -D tsx";

/** A TypeScript file spry cannot load without tsx, which is not installed. */
export class NeedsTsx extends Error {
  name = "NeedsTsx";
}

/** @type {Promise<boolean> | undefined} */
let tsx;

/**
 * Registers tsx's hooks (both: a file outside a "type": "module" package is loaded as CommonJS,
 * and with only the ESM hook its `import`/`export` fails). Resolves false when tsx is not installed.
 * @returns {Promise<boolean>}
 */
export function registerTsx() {
  return (tsx ??= Promise.all([import("tsx/cjs/api"), import("tsx/esm/api")]).then(
    ([cjs, esm]) => {
      cjs.register();
      esm.register();
      return true;
    },
    (error) => {
      if (error?.code === "ERR_MODULE_NOT_FOUND" && /'tsx'/.test(error.message)) return false;
      throw error;
    },
  ));
}

/**
 * Whether this runtime loads TypeScript itself: Node 22.18 and newer by default (earlier 22s
 * with a flag), Bun and Deno always. tsx is never registered under Bun or Deno: in a Deno
 * worker it breaks require() of JSON files (piscina's and pino's package.json).
 */
export const stripsTypes = () => "Bun" in globalThis || "Deno" in globalThis || Boolean(process.features.typescript);

/**
 * @param {string} url
 * @returns {Promise<Record<string, unknown>>}
 */
export async function importFile(url) {
  if (!stripsTypes() && TYPESCRIPT_FILE.test(new URL(url).pathname)) await loadWithTsx(url, undefined);
  try {
    return await import(url);
  } catch (error) {
    if (!NEEDS_TRANSFORM.has(error?.code)) throw error;
    await loadWithTsx(url, error);
    try {
      return await import(url);
    } catch (again) {
      // Node 22 keeps the failed load of that file, so the same import fails again: only a
      // process with tsx registered before it loads anything can run it. 24 and newer do not.
      if (!NEEDS_TRANSFORM.has(again?.code)) throw again;
      const site = errorSite(again) ?? shortPath(url);
      throw new NeedsTsx(
        `${site} uses TypeScript that Node's type stripping cannot run (${firstLine(again.message)}), and Node ${process.versions.node} cannot switch to tsx once it has tried: start it with tsx preloaded (node --import tsx), or use Node 24`,
        { cause: again },
      );
    }
  }
}

/**
 * @param {string} url
 * @param {Error & { code?: string } | undefined} error what Node said about the file, if it tried
 */
async function loadWithTsx(url, error) {
  if (await registerTsx()) return;
  const problem =
    error === undefined
      ? `${shortPath(url)} is TypeScript, and Node ${process.versions.node} does not strip types (22.18 and newer do)`
      : `${errorSite(error) ?? shortPath(url)} uses TypeScript that Node's type stripping cannot run (${firstLine(error.message)})`;
  throw new NeedsTsx(`${problem}; install tsx to load it: ${FIX}`, { cause: error });
}

// Node puts the failing file (and line) first in the stack of its stripping errors.
function errorSite(error) {
  const first = String(error.stack ?? "").split("\n", 1)[0];
  const match = /^(file:\/\/\S+?)(:\d+)?$/.exec(first);
  return match === null ? undefined : shortPath(match[1]) + (match[2] ?? "");
}

function shortPath(url) {
  const path = fileURLToPath(url);
  const inCwd = relative(process.cwd(), path);
  return inCwd.startsWith("..") ? path : inCwd;
}

function firstLine(message) {
  return String(message).split("\n", 1)[0].replace(/\.$/, "");
}
