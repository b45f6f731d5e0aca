import type { StandardSchemaV1 } from "@standard-schema/spec";
import { taskParts, type Task } from "../task.ts";
import { encodeArgs } from "./json-args.ts";

/**
 * What a queued job carries: how a worker finds the task (module URL and name) and the argument
 * as JSON text. The argument stays text in Redis so that the worker parses exactly what was
 * checked at `add`; BullMQ's own encoding of job data is never relied on to keep it intact.
 */
export interface JobData {
  readonly module: string;
  readonly name: string;
  /** JSON text; absent for a task without an argument. */
  readonly args?: string;
  /** The route that added it, for the worker's logs. */
  readonly route?: string;
}

/** The argument failed the task's schema: named with the task, never retried. */
export class TaskArgsInvalid extends Error {
  override readonly name = "TaskArgsInvalid";
  readonly issues: readonly StandardSchemaV1.Issue[];
  constructor(taskName: string, issues: readonly StandardSchemaV1.Issue[]) {
    super(`Task "${taskName}": its argument does not match its schema: ${describeIssues(issues)}`);
    this.issues = issues;
  }
}

/**
 * Validates the argument with the task's schema (the same check the worker runs again), then
 * encodes it. The stored text is the argument as given, not the schema's output: the worker
 * validates again, and a converting schema (string to Date, say) must see its input twice, not
 * its output.
 */
export async function jobDataFor(task: Task<any, any>, args: unknown, route: string | undefined): Promise<JobData> {
  await validateArgs(task, args);
  const text = encodeArgs(task.name, args);
  return { module: task.module, name: task.name, ...(text === undefined ? {} : { args: text }), ...(route === undefined ? {} : { route }) };
}

/** The schema's output for `args`, or `args` itself when the task declares no schema. */
export async function validateArgs(task: Task<any, any>, args: unknown): Promise<unknown> {
  const schema = taskParts(task).options.args;
  if (schema === undefined) return args;
  const result = await schema["~standard"].validate(args);
  if (result.issues !== undefined) throw new TaskArgsInvalid(task.name, result.issues);
  return result.value;
}

function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((part) => String(typeof part === "object" ? part.key : part)).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}
