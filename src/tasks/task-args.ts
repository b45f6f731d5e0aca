import type { StandardSchemaV1 } from "@standard-schema/spec";
import { isPromise } from "../common/is-promise.ts";
import { TaskArgsInvalid } from "./redis/job-data.ts";
import { encodeArgs } from "./redis/json-args.ts";
import { taskParts, type Task } from "./task.ts";

/**
 * Checks a declared task's argument as the queue backend does when it is added: against the
 * schema (TaskArgsInvalid), then that it survives JSON unchanged (TaskArgsNotSerializable). The
 * in-process backend runs the same checks, so that a task which runs in process today runs the
 * same on a queue's workers tomorrow. Returns the schema's output, synchronously when the
 * schema is synchronous (zod's and valibot's usual case), so that a bad argument throws at
 * `tasks.add` even when the caller forgot to await it.
 */
export function checkTaskArgs(task: Task<any, any>, args: unknown): unknown {
  const schema = taskParts(task).options.args;
  if (schema === undefined) {
    encodeArgs(task.name, args);
    return args;
  }
  const result = schema["~standard"].validate(args);
  return isPromise(result) ? result.then((r) => outputOf(task, args, r)) : outputOf(task, args, result);
}

function outputOf(task: Task<any, any>, args: unknown, result: StandardSchemaV1.Result<unknown>): unknown {
  if (result.issues !== undefined) throw new TaskArgsInvalid(task.name, result.issues);
  // A queue stores the argument as given (its worker validates it again), so that is what must
  // survive JSON, not the schema's output.
  encodeArgs(task.name, args);
  return result.value;
}
