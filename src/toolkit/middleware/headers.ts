import type { OutgoingHeaders } from "../response.ts";

// Middleware sees headers as whoever set them spelled them: lower case from spry's own
// responses, but any case where a middleware or handler wrote them into a response itself. These helpers find a
// header under any spelling, so that one never ends up sent twice.

/** The key `name` (lower case) is stored under, if any. */
export function headerKey(headers: OutgoingHeaders, name: string): string | undefined {
  if (name in headers) return name;
  for (const key in headers) if (key.toLowerCase() === name) return key;
  return undefined;
}

/** A header's value, repeated lines joined with ", ". */
export function getHeader(headers: OutgoingHeaders, name: string): string | undefined {
  const key = headerKey(headers, name);
  if (key === undefined) return undefined;
  const value = headers[key]!;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** Sets `name` (lower case), replacing it under any spelling. */
export function replaceHeader(headers: OutgoingHeaders, name: string, value: string): void {
  removeHeader(headers, name);
  headers[name] = value;
}

export function removeHeader(headers: OutgoingHeaders, name: string): void {
  for (let key = headerKey(headers, name); key !== undefined; key = headerKey(headers, name)) delete headers[key];
}

/** Adds `field` to Vary unless it is there already or Vary is `*`. */
export function addVary(headers: OutgoingHeaders, field: string): void {
  const current = getHeader(headers, "vary");
  if (current === undefined || current.trim() === "") return replaceHeader(headers, "vary", field);
  const lower = field.toLowerCase();
  for (const listed of current.split(",")) {
    const name = listed.trim().toLowerCase();
    if (name === "*" || name === lower) return;
  }
  replaceHeader(headers, "vary", `${current}, ${field}`);
}
