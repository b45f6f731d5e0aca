import { importFile } from "../common/import-file.mjs";

/**
 * A function another thread or process can find again: the URL of the module that defines it
 * and a name unique in that module. Worker threads (spry's pool) and task workers (`spry worker`)
 * receive only this reference, import the module, and look the function up here, because a
 * closure cannot cross a thread or process boundary, while a module can be loaded anywhere.
 */
export interface ModuleFunctionRef {
  /** The defining module's URL: `import.meta.url` where it was declared. */
  readonly module: string;
  readonly name: string;
}

type AnyFunction = (...args: any[]) => unknown;

// Per thread: each worker thread evaluates the module again and so fills its own registry.
const registry = new Map<string, AnyFunction>();

const keyOf = (ref: ModuleFunctionRef): string => `${ref.module}#${ref.name}`;

/**
 * Records `fn` under its module and name, as the module is evaluated. Two different functions
 * under one name in one module would make the reference ambiguous, so the second one throws.
 */
export function registerModuleFunction(module: string, name: string, fn: AnyFunction): ModuleFunctionRef {
  if (typeof module !== "string" || !/^[a-z][a-z0-9+.-]*:/i.test(module)) {
    throw new TypeError(`Expected the defining module's URL (import.meta.url), got ${JSON.stringify(module)}`);
  }
  if (name === "") throw new TypeError(`A function run in another thread or process needs a name (in ${module})`);
  const ref = { module, name };
  const key = keyOf(ref);
  const existing = registry.get(key);
  if (existing !== undefined && existing !== fn) {
    throw new Error(`Two functions are named "${name}" in ${module}; give each a unique name`);
  }
  registry.set(key, fn);
  return ref;
}

/** The function `ref` names, importing its module first if this thread has not loaded it. */
export async function loadModuleFunction(ref: ModuleFunctionRef): Promise<AnyFunction> {
  const key = keyOf(ref);
  let fn = registry.get(key);
  if (fn === undefined) {
    await importFile(ref.module);
    fn = registry.get(key);
  }
  if (fn === undefined) {
    throw new Error(`${ref.module} declares no function named "${ref.name}" (it must be declared when the module loads, not inside a function)`);
  }
  return fn;
}
