// Type-level tests of the flags table: a row's unit must read to what its serve() option holds.
// Checked by `tsc --noEmit`; nothing here runs.
import type { Flag } from "../../src/server/cli-options.ts";

const base = { name: "x", help: "", commands: ["run"], group: "Where" } as const;

export const fits: Flag[] = [
  { ...base, to: "port", unit: "port" },
  { ...base, to: "keepAliveTimeout", unit: "seconds" },
  { ...base, to: "tls.caFile", unit: "string" },
  { ...base, to: "accessLog", unit: "boolean" },
  { ...base, to: "cli", unit: "count" },
  { ...base, to: "env", unit: "size", env: "SPRY_X" },
];

// @ts-expect-error a count cannot fill the host
export const countAsHost: Flag = { ...base, to: "host", unit: "count" };
// @ts-expect-error a string cannot fill a TLS option that is not one
export const noSuchTls: Flag = { ...base, to: "tls.nothing", unit: "string" };
// @ts-expect-error a boolean cannot fill a timeout
export const booleanTimeout: Flag = { ...base, to: "requestTimeout", unit: "boolean" };
// @ts-expect-error a setting handed over by environment needs its variable
export const envWithoutVariable: Flag = { ...base, to: "env", unit: "count" };
