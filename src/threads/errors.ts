import { HTTPException } from "../common/http-exception.ts";
import type { ModuleFunctionRef } from "./module-function.ts";

/**
 * The pool's queue is full: the call was refused at once instead of waiting behind
 * `maxQueue` others. A route answers 503 with `Retry-After`, like a server past its
 * concurrency limit (Uvicorn's limit-concurrency), so clients and load balancers back off.
 *
 * @example
 * app.exceptionHandler(PoolSaturated, () => json({ detail: "Busy, try again" }, { status: 503 }));
 */
export class PoolSaturated extends HTTPException {
  constructor(retryAfterSeconds: number) {
    super(503, "Service Unavailable", { "Retry-After": String(retryAfterSeconds) });
    this.name = "PoolSaturated";
  }
}

/**
 * The worker thread running a call died before answering: `process.exit()` in it, an error
 * thrown asynchronously with nothing to catch it, running out of memory. Only the calls on that
 * thread fail; the pool starts a new thread in its place.
 */
export class WorkerCrashed extends Error {
  constructor(ref: ModuleFunctionRef, cause: unknown) {
    super(`The worker thread running ${describe(ref)} died: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "WorkerCrashed";
  }
}

/** `name (module)`, for messages that must say which function failed. */
export function describe(ref: ModuleFunctionRef): string {
  return `${ref.name} (${ref.module})`;
}

/** An error thrown by a function in a worker, in a form any thread can receive. */
export interface ThrownInWorker {
  readonly "~spryThrown": true;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: unknown;
  /** Set when it was an HTTPException, so that the route still answers with its status. */
  readonly http?: { status: number; detail: unknown; headers: Record<string, string> | undefined } | undefined;
}

// Structured clone keeps only the built-in error names (a ValidationError arrives as "Error")
// and drops own properties such as `code`, so errors cross the boundary as plain data.
export function serializeError(error: unknown): ThrownInWorker {
  if (!(error instanceof Error)) {
    return { "~spryThrown": true, name: "Error", message: `A non-Error value was thrown: ${String(error)}`, stack: undefined, code: undefined };
  }
  const http = error instanceof HTTPException ? { status: error.status, detail: error.detail, headers: error.headers } : undefined;
  return { "~spryThrown": true, name: error.name, message: error.message, stack: error.stack, code: (error as { code?: unknown }).code, http };
}

export function isThrownInWorker(value: unknown): value is ThrownInWorker {
  return typeof value === "object" && value !== null && (value as Partial<ThrownInWorker>)["~spryThrown"] === true;
}

/** The error as the awaiting caller sees it: same class for HTTPException, else an Error with the original name and message. */
export function restoreError(thrown: ThrownInWorker): Error {
  const error = thrown.http !== undefined ? new HTTPException(thrown.http.status, thrown.http.detail, thrown.http.headers) : new Error(thrown.message);
  error.name = thrown.name;
  if (thrown.stack !== undefined) error.stack = thrown.stack;
  if (thrown.code !== undefined) (error as { code?: unknown }).code = thrown.code;
  return error;
}

/** The message for arguments a worker cannot receive (functions, streams, an UploadFile, ...). */
export function notCloneable(ref: ModuleFunctionRef, cause: unknown): TypeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TypeError(
    `${describe(ref)} runs in a worker thread, and its arguments must be plain data that can be copied there ` +
      `(no functions, class instances with methods such as UploadFile, streams or sockets): ${reason}`,
    { cause },
  );
}
