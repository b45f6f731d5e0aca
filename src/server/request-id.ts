import { randomBytes } from "node:crypto";
import { flatString } from "../common/flat-string.ts";

// 2^48 ids fit the counter's 12 hex digits; past it (centuries at a million a second) a new
// prefix starts a new series, so an id is never given twice.
const SERIES = 2 ** 48;
const ZEROS = "000000000000";

let prefix = newPrefix();
let count = 0;

// newRequestId() joins two shared strings: the prefix with the counter's first ten hex digits
// (the stem, remade every 256 ids), and the last two digits from a table. No number is
// formatted and nothing copied per request (about 160 instructions an id against 630 for the
// formatted counter, a loop of 300,000 under callgrind on Node 24), and a parked request keeps
// only the pair (a ConsString) where a flat id is a copy of its own.
const LOW = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
let stem = "";
let stemOf = -1;

/**
 * A new request id: UUID-shaped (8-4-4-4-12 lower-case hex, RFC 9562's version 8, the custom
 * layout), 74 random bits drawn once per process, then a counter. Processes never share the
 * random part in practice (workers and restarts each draw their own), and within a process the
 * counter never repeats, so ids are unique across both. A randomUUID per request cost about
 * 0.5 µs on Node 24 under load, a formatted counter about 0.15 µs (bench/HISTORY.md, "Tuned in
 * this session"), this less again.
 */
export function newRequestId(): string {
  if (++count === SERIES) startSeries();
  const high = Math.floor(count / 256);
  if (high !== stemOf) {
    stemOf = high;
    const hex = high.toString(16);
    // Made flat once (common/flat-string.ts), so that every id of its 256 shares the one copy,
    // and the head that writes an id walks two leaves, not the join's four (String::WriteToFlat2
    // about 300 instructions a request, callgrind, http-callgrind.mjs).
    stem = flatString(prefix + ZEROS.slice(hex.length + 2) + hex);
  }
  return stem + LOW[count % 256]!;
}

/**
 * The counting part of the id newRequestId() made with `count` (idCount()): its last 12
 * characters, for the access line that writes the id apart from its random part
 * (access-lines.ts). Made only for a line that is not a copy of its connection's last one,
 * which writes the count itself.
 */
export function idTail(count: number): string {
  const hex = count.toString(16);
  return ZEROS.slice(hex.length) + hex;
}

function startSeries(): void {
  prefix = newPrefix();
  count = 1;
  stemOf = -1;
}

/** The number the last newRequestId() wrote in hex: the access line writes it (access-lines.ts). */
export function idCount(): number {
  return count;
}

/** The random part of the last newRequestId() (its first 24 characters, with the dash). */
export function idPrefix(): string {
  return prefix;
}

// xxxxxxxx-xxxx-8xxx-Vxxx- : the version nibble 8, the variant's two bits 10 (V is 8, 9, a or b).
function newPrefix(): string {
  const hex = randomBytes(10).toString("hex");
  const variant = "89ab"[Number.parseInt(hex[18]!, 16) & 3]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-`;
}
