import type { ErrorDetail } from "../validation-error.ts";
import { CoercionFailure, failureDetails } from "./coerce.ts";
import type { InputSpec } from "./spec.ts";

/** What a URL, header, cookie or form field gives for one input: a string, every value sent, or nothing. */
export type Raw = string | string[] | undefined;

/** Conversion errors, allocated only when a conversion fails. */
export class Failed {
  readonly errors: ErrorDetail[];
  constructor(errors: ErrorDetail[]) {
    this.errors = errors;
  }
}

/** Converts the strings of a URL, header, cookie or form field to the declared type. */
export function convert(spec: InputSpec, raw: Raw): unknown {
  if (raw === undefined) return undefined;
  if (spec.list) {
    const items = typeof raw === "string" ? [raw] : raw;
    if (spec.location === "header" && items.length === 0) return undefined;
    const out = new Array<unknown>(items.length);
    let errors: ErrorDetail[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const value = spec.coerce(items[i]!);
      if (value instanceof CoercionFailure) {
        (errors ??= []).push(...failureDetails(value, [...spec.loc, i], items[i]));
      } else out[i] = value;
    }
    return errors === undefined ? out : new Failed(errors);
  }
  // A scalar given several times takes the last value, as Starlette's query_params does.
  const text = typeof raw === "string" ? raw : raw[raw.length - 1]!;
  const value = spec.coerce(text);
  if (value instanceof CoercionFailure) {
    return new Failed(failureDetails(value, spec.loc, text));
  }
  return value;
}
