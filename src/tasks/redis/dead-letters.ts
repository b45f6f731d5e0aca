import type { Job } from "bullmq";
import type { JobData } from "./job-data.ts";

/** A task that failed on its last attempt, kept in the queue's failed list. */
export interface DeadLetter {
  /** The BullMQ job id: `retryDeadLetter(id)` puts it back in the queue. */
  readonly id: string;
  readonly task: string;
  readonly module: string;
  /** The argument as it was added (undefined for none). */
  readonly args: unknown;
  /** The route that added it, if a request did. */
  readonly route: string | undefined;
  /** Attempts that failed (BullMQ's attemptsMade). */
  readonly attempts: number;
  /** The last attempt's error message. */
  readonly error: string;
  readonly addedAt: Date;
  readonly failedAt: Date | undefined;
}

export function readDeadLetter(job: Job<JobData>): DeadLetter {
  const data = job.data;
  return {
    id: job.id!,
    task: data.name,
    module: data.module,
    args: data.args === undefined ? undefined : JSON.parse(data.args),
    route: data.route,
    attempts: job.attemptsMade,
    error: job.failedReason,
    addedAt: new Date(job.timestamp),
    failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn),
  };
}
