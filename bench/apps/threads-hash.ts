// The CPU-bound work of bench/threads.mjs: one scrypt password hash (N = 16384, scrypt's
// default cost, tens of milliseconds), as a plain function and as a threaded one.
import { scryptSync } from "node:crypto";
import { threaded } from "../../src/index.ts";

export function hashPassword({ password }: { password: string }): { hash: string } {
  return { hash: scryptSync(password, "bench-salt", 32).toString("hex") };
}

export const hashInPool = threaded(import.meta.url, { name: "hashInPool" }, hashPassword);
