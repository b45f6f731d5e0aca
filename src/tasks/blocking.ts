import { createLogger } from "../common/logger.ts";
import { loadModuleFunction, registerModuleFunction, type ModuleFunctionRef } from "../threads/module-function.ts";
import { runInPool } from "../threads/pool.ts";
import type { Task, TaskRun } from "./task.ts";

/** What crosses to the worker thread: where the task is, and its already validated argument. */
interface BlockingCall extends ModuleFunctionRef {
  readonly args: unknown;
  readonly attempt: number;
}

// A task's function takes (args, run), and `run` (an AbortSignal, a logger) cannot be copied
// to a thread. So the pool runs this function instead, which rebuilds a `run` on the other
// side and calls the task there, found by its module and name like any pooled function.
const runner: ModuleFunctionRef = registerModuleFunction(import.meta.url, "runBlockingTask", runBlockingTask);

// In the thread: the signal never aborts there, because a synchronous task cannot be
// interrupted anyway; cutting one off drops its result on the calling side (runInPool's signal).
async function runBlockingTask(call: BlockingCall): Promise<unknown> {
  const fn = await loadModuleFunction(call);
  const run: TaskRun = { signal: new AbortController().signal, attempt: call.attempt, logger: (threadLogger ??= createLogger()) };
  return fn(call.args, run);
}

let threadLogger: TaskRun["logger"] | undefined;

/** Runs a `blocking: true` task in the worker-thread pool, with its schema's output as argument. */
export function runBlocking(task: Task<any, any>, args: unknown, run: TaskRun): Promise<unknown> {
  const call: BlockingCall = { module: task.module, name: task.name, args, attempt: run.attempt };
  return runInPool(runner, [call], { signal: run.signal });
}
