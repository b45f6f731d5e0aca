import { randomBytes } from "node:crypto";

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
// nextIdTail's stem: the same ten digits, without the prefix.
let tailStem = "";
let tailStemOf = -1;

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
    stem = prefix + ZEROS.slice(hex.length + 2) + hex;
    // Made flat once, so that every id of its 256 shares the one copy.
    stem.charCodeAt(0);
  }
  return stem + LOW[count % 256]!;
}

/** An id from its two parts (idPrefix(), nextIdTail()), as one flat string. */
export function joinedId(prefix: string, tail: string): string {
  const id = prefix + tail;
  // The sum is a rope, which keeps more bytes while a request is parked than the 56 B of a flat
  // id: reading a character flattens it in place, about 10 ns, and the next scavenge drops the
  // rope for the flat string.
  id.charCodeAt(35);
  return id;
}

/**
 * The counting part of a new id (its last 12 characters, one flat string), for a caller that
 * keeps the id as its two parts: this first, then idPrefix() (a new series starts here). The access line writes
 * the prefix with the connection's other pieces, made once, and only this part anew
 * (access-lines.ts).
 */
export function nextIdTail(): string {
  if (++count === SERIES) startSeries();
  // As newRequestId's: the first ten digits remade every 256 ids, the last two from the table,
  // no number formatted per id (the formatting and the slice of the zeros were about 330
  // instructions a request, callgrind, bench/http-callgrind.mjs `spry-log`). Under 13
  // characters, the join is one flat string, not a pair that each later use walks.
  const high = Math.floor(count / 256);
  if (high !== tailStemOf) {
    tailStemOf = high;
    const hex = high.toString(16);
    tailStem = ZEROS.slice(hex.length + 2) + hex;
  }
  return tailStem + LOW[count % 256]!;
}

function startSeries(): void {
  prefix = newPrefix();
  count = 1;
  stemOf = -1;
  tailStemOf = -1;
}

/** The number the last nextIdTail() wrote in hex: the access line writes it (access-lines.ts). */
export function idCount(): number {
  return count;
}

/** The random part of the ids nextIdTail() counts (its first 24 characters, with the dash). */
export function idPrefix(): string {
  return prefix;
}

// xxxxxxxx-xxxx-8xxx-Vxxx- : the version nibble 8, the variant's two bits 10 (V is 8, 9, a or b).
function newPrefix(): string {
  const hex = randomBytes(10).toString("hex");
  const variant = "89ab"[Number.parseInt(hex[18]!, 16) & 3]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-`;
}
