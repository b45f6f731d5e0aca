/**
 * Set to "1" by `spry dev` in the app's process, and left there (unlike its private marker,
 * which the process removes): development mode, where the blocking trace is on by default.
 * An environment variable because it crosses a process boundary (`spry dev` starts the app in
 * a child process); it is named and read here only, so no layer reaches into another for it.
 */
export const DEV_MODE_ENV = "SPRY_DEV";

/** Whether this process runs under `spry dev`. */
export function inDevMode(): boolean {
  return process.env[DEV_MODE_ENV] === "1";
}
