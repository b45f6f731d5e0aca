import type { MessagePort } from "node:worker_threads";

/** What can be moved to another thread instead of copied. */
export type Movable = ArrayBuffer | ArrayBufferView | MessagePort;
export type TransferItem = ArrayBuffer | MessagePort;

// Marks live on the value itself (weakly), so a marked buffer can sit anywhere in the
// arguments the scan below reaches, and an unused mark costs nothing.
const marks = new WeakMap<object, TransferItem>();

/**
 * Marks a buffer (or a typed array's buffer, or a MessagePort) to be moved to the worker
 * thread, not copied, when it is passed to a `threaded` function; and, returned from one,
 * moved back. Once moved, the sender's ArrayBuffer is detached (its byteLength is 0): use it no
 * more. A view over only part of its buffer is copied instead, since moving it would take the
 * rest of the buffer (other values' memory) with it. It is found among the arguments themselves and one level inside them (an array's
 * elements, a plain object's properties).
 *
 * @example
 * const pixels = new Uint8Array(await file.bytes());
 * const thumbnail = await resize(transfer(pixels), 128); // 10 MB moved, not copied
 */
export function transfer<T extends Movable>(value: T): T {
  if (ArrayBuffer.isView(value)) {
    // A view over part of a larger buffer (a small Node Buffer is a slice of a shared pool)
    // is copied: moving would detach memory that other values still use.
    if (value.byteOffset !== 0 || value.byteLength !== value.buffer.byteLength) return value;
    // A SharedArrayBuffer is shared, never copied: there is nothing to move.
    if (value.buffer instanceof ArrayBuffer) marks.set(value, value.buffer);
  } else if (!(value instanceof SharedArrayBuffer)) {
    marks.set(value, value as TransferItem);
  }
  return value;
}

/** What `value` was marked to move, if it was. */
export function markOf(value: object): TransferItem | undefined {
  return marks.get(value);
}

/** The transfer list for `values`: every marked value among them, or one level inside them. */
export function transfersIn(values: readonly unknown[]): TransferItem[] | undefined {
  let found: Set<TransferItem> | undefined;
  eachCrossing(values, (value) => {
    const item = marks.get(value);
    if (item !== undefined) (found ??= new Set()).add(item);
    return item === undefined;
  });
  return found === undefined ? undefined : [...found];
}

/**
 * Visits the objects among `values` and one level inside them (an array's elements, a plain
 * object's properties): where marks are looked for and arguments checked. `visit` returns
 * whether to look inside the object. Deeper levels are left to structured clone itself.
 */
export function eachCrossing(values: readonly unknown[], visit: (value: object, path: string) => boolean): void {
  const walk = (value: unknown, path: string, depth: number): void => {
    if (typeof value !== "object" || value === null || !visit(value, path)) return;
    if (depth === 0 || ArrayBuffer.isView(value)) return;
    if (Array.isArray(value)) {
      value.forEach((element, i) => walk(element, `${path}[${i}]`, depth - 1));
    } else if (isPlainObject(value)) {
      for (const key in value) walk((value as Record<string, unknown>)[key], `${path}.${key}`, depth - 1);
    }
  };
  values.forEach((value, i) => walk(value, `argument ${i + 1}`, 1));
}

export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
