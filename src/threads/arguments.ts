import { describe } from "./errors.ts";
import type { ModuleFunctionRef } from "./module-function.ts";
import { eachCrossing, isPlainObject, markOf, type TransferItem } from "./transfer.ts";

// Objects structured clone copies faithfully. Any other class instance would arrive as a bare
// object, without its methods or private fields: an UploadFile with no bytes(), say.
const CLONEABLE: readonly Function[] = [Array, Date, RegExp, Map, Set, ArrayBuffer, SharedArrayBuffer, Error, Boolean, Number, String];

function cloneable(value: object): boolean {
  return isPlainObject(value) || ArrayBuffer.isView(value) || CLONEABLE.some((type) => value instanceof type);
}

/**
 * Checks what a call of `ref` sends to a thread and returns what it moves rather than copies.
 * A class instance among the arguments (or one level inside them) is refused with a TypeError
 * naming the function, since the thread would get a hollow copy; functions and the like deeper
 * down are refused by structured clone itself.
 */
export function prepareArguments(ref: ModuleFunctionRef, args: readonly unknown[]): TransferItem[] | undefined {
  let found: Set<TransferItem> | undefined;
  eachCrossing(args, (value, path) => {
    const item = markOf(value);
    if (item !== undefined) {
      (found ??= new Set()).add(item);
      return false;
    }
    if (!cloneable(value)) {
      const type = value.constructor?.name ?? "object";
      throw new TypeError(
        `${describe(ref)} runs in a worker thread, and its arguments must be plain data that can be copied there: ` +
          `${path} is a ${type}, which would arrive without its methods or private state (for an UploadFile, pass await file.bytes())`,
      );
    }
    return true;
  });
  return found === undefined ? undefined : [...found];
}
