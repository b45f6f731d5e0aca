/** Whether a result must be awaited: the pipeline stays synchronous wherever it need not. */
export function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | null)?.then === "function";
}
