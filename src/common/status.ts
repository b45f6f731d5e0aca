import { STATUS_CODES } from "node:http";

/** Statuses whose responses never carry a body (RFC 9110 sections 15.2, 15.3.5, 15.4.5). */
export function statusHasNoBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** The reason phrase of a status code ("Not Found"), or "Error" for one node does not know. */
export function statusPhrase(status: number): string {
  return STATUS_CODES[status] ?? "Error";
}
