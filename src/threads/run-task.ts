// Runs one call inside a pool worker thread (loaded by worker.mjs once TypeScript can load).
import { Piscina } from "piscina";
import { describe, serializeError } from "./errors.ts";
import { loadModuleFunction, type ModuleFunctionRef } from "./module-function.ts";
import { transfersIn } from "./transfer.ts";

/** One call, as posted to a worker thread. */
export interface PoolTask extends ModuleFunctionRef {
  readonly args: readonly unknown[];
  /** Set to 1 when the call starts, so that a cancelled caller knows it is no longer queued. */
  readonly started?: Int32Array | undefined;
}

export async function runTask(task: PoolTask): Promise<unknown> {
  if (task.started !== undefined) Atomics.store(task.started, 0, 1);
  let result: unknown;
  try {
    const fn = await loadModuleFunction(task);
    result = await fn(...task.args);
  } catch (error) {
    throw serializeError(error);
  }
  const transferList = transfersIn([result]);
  if (transferList === undefined) {
    assertCloneable(task, result);
    return result;
  }
  // piscina moves a result only when it is itself a marked "movable" holding its transfer list.
  return Piscina.move({ [Piscina.transferableSymbol]: transferList, [Piscina.valueSymbol]: result } as never);
}

// A result piscina cannot post kills the thread with an empty error, so it is tried here first:
// one extra copy, made on the worker thread (never the event loop's), and skipped for
// primitives and buffers, which always clone.
function assertCloneable(ref: ModuleFunctionRef, result: unknown): void {
  const kind = typeof result;
  if (result === null || (kind !== "object" && kind !== "function" && kind !== "symbol") || result instanceof ArrayBuffer || ArrayBuffer.isView(result)) return;
  try {
    structuredClone(result);
  } catch (error) {
    throw serializeError(new TypeError(`${describe(ref)} returned a value that cannot be copied back from its worker thread: ${(error as Error).message}`));
  }
}
