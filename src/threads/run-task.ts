// Runs one call inside a pool worker thread (loaded by worker.mjs once TypeScript can load).
import { Piscina } from "piscina";
import { serializeError } from "./errors.ts";
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
  if (transferList === undefined) return result;
  // piscina moves a result only when it is itself a marked "movable" holding its transfer list.
  return Piscina.move({ [Piscina.transferableSymbol]: transferList, [Piscina.valueSymbol]: result } as never);
}
