/**
 * A task's argument crosses to the worker as JSON, so it must come back exactly as it left:
 * what JSON.stringify would change silently (a Date becomes a string, a Map `{}`, NaN `null`,
 * an `undefined` array slot `null`) or cannot encode (a function, a BigInt, a cycle) is refused
 * when the task is added, with the path of the offending value, never when a worker picks it up.
 *
 * One loss is accepted on purpose: an object property whose value is `undefined` is dropped,
 * because for every schema library an absent optional property and an `undefined` one mean
 * the same thing.
 */
export class TaskArgsNotSerializable extends Error {
  override readonly name = "TaskArgsNotSerializable";
}

/** The argument as JSON text (undefined for no argument), or a TaskArgsNotSerializable naming the task and the path. */
export function encodeArgs(taskName: string, args: unknown): string | undefined {
  if (args === undefined) return undefined;
  const problem = findProblem(args, "args", new Set());
  if (problem !== undefined) {
    throw new TaskArgsNotSerializable(`Task "${taskName}" was not queued: its argument must survive JSON unchanged, but ${problem}`);
  }
  return JSON.stringify(args);
}

function findProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value} (JSON would turn it into null)`;
    case "bigint":
      return `${path} is a BigInt (JSON cannot encode it: pass a string)`;
    case "function":
      return `${path} is a function (a task runs in another process: pass data, not code)`;
    case "symbol":
      return `${path} is a symbol`;
    case "undefined":
      return `${path} is undefined (JSON would turn it into null)`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return `${path} refers back to an enclosing object (a cycle)`;
  if (Array.isArray(object)) {
    seen.add(object);
    for (let i = 0; i < object.length; i++) {
      if (!(i in object)) return `${path}[${i}] is an empty slot (JSON would turn it into null)`;
      const problem = findProblem(object[i], `${path}[${i}]`, seen);
      if (problem !== undefined) return problem;
    }
    seen.delete(object);
    return undefined;
  }
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (object.constructor as { name?: string } | undefined)?.name || "class instance";
    const hint = object instanceof Date ? ": pass date.toISOString() and parse it in the task's schema" : ": pass a plain object";
    return `${path} is a ${kind} (JSON would not bring it back as one${hint})`;
  }
  if (Object.getOwnPropertySymbols(object).length > 0) return `${path} has symbol keys (JSON drops them)`;
  seen.add(object);
  for (const [key, item] of Object.entries(object)) {
    if (item === undefined) continue;
    const problem = findProblem(item, `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, seen);
    if (problem !== undefined) return problem;
  }
  seen.delete(object);
  return undefined;
}
