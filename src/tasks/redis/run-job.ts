import type { Job } from "bullmq";
import { runBlocking } from "../blocking.ts";
import { findTask, taskParts, type Task } from "../task.ts";
import type { Logger } from "../../common/logger.ts";
import { TaskArgsInvalid, validateArgs, type JobData } from "./job-data.ts";
import type { QueueLibraries } from "./libraries.ts";
import { withFields } from "./task-logger.ts";

/** A job this worker is running: what shutdown needs to put it back in the queue. */
export interface RunningJob {
  readonly job: Job<JobData>;
  readonly token: string;
  readonly task: string;
  readonly controller: AbortController;
  /** Set when shutdown put the job back in the queue: its outcome here no longer counts. */
  requeued: boolean;
}

export type Processor = (job: Job<JobData>, token: string | undefined, signal?: AbortSignal) => Promise<void>;

/**
 * BullMQ's processor for spry tasks: finds the task by module and name, parses and validates
 * the argument again (the code may have changed since it was added), and runs it with its
 * signal, attempt number and a logger naming it. A failure is logged with the task and attempt
 * and rethrown, so that BullMQ retries it or moves it to the dead-letter list.
 */
export function jobProcessor(libraries: QueueLibraries, logger: Logger, running: Map<string, RunningJob>): Processor {
  const { UnrecoverableError, WaitingError } = libraries.bullmq;
  // Three parameters: BullMQ passes an AbortSignal only to processors that declare it.
  return async (job, token, lockSignal) => {
    const data = job.data;
    const entry: RunningJob = { job, token: token!, task: String(data?.name), controller: new AbortController(), requeued: false };
    // BullMQ counts a start before the processor runs, so a job taken up again after its
    // worker died is attempt 2 here even though no attempt failed: the re-run is marked.
    const attempt = job.attemptsStarted;
    const fields = { task: entry.task, jobId: job.id, attempt, attempts: job.opts.attempts ?? 1, route: data?.route };
    running.set(job.id!, entry);
    try {
      const task = await taskOf(data, UnrecoverableError);
      const args = await validateArgs(task, data.args === undefined ? undefined : JSON.parse(data.args)).catch((error: unknown) => {
        throw error instanceof TaskArgsInvalid ? new UnrecoverableError(error.message) : error;
      });
      const signal = lockSignal === undefined ? entry.controller.signal : AbortSignal.any([lockSignal, entry.controller.signal]);
      const run = { signal, attempt, logger: withFields(logger, fields) };
      const { fn, options } = taskParts(task);
      await (options.blocking === true ? runBlocking(task, args, run) : fn(args, run));
    } catch (error) {
      if (entry.requeued) throw new WaitingError();
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      logger.error({ ...fields, err: error }, final ? `Task ${entry.task} failed: moved to the dead-letter list` : `Task ${entry.task} failed: it will be retried`);
      throw error;
    } finally {
      running.delete(job.id!);
    }
    if (entry.requeued) throw new WaitingError();
  };
}

async function taskOf(data: JobData | undefined, Unrecoverable: new (message: string) => Error): Promise<Task<any, any>> {
  if (typeof data?.module !== "string" || typeof data.name !== "string" || (data.args !== undefined && typeof data.args !== "string")) {
    throw new Unrecoverable("Not a spry task: the job's data has no module and name");
  }
  // Anyone who can write to Redis chooses what a worker imports; only modules on this
  // machine's disk qualify (a data: or http: URL would be code from the job itself).
  if (!data.module.startsWith("file:")) throw new Unrecoverable(`Refused to import ${data.module}: tasks are loaded from file: URLs only`);
  return findTask({ module: data.module, name: data.name });
}
