/** Outgoing headers as lower-case names; an array value is sent as repeated header lines. */
export type OutgoingHeaders = Record<string, string | number | string[]>;

// A name must be a token. A value is text, sent as UTF-8 (docs/responses.md, "Header values"):
// only the control characters that could end a header line or confuse a parser (all of
// U+0000-U+001F but tab, and DEL) are refused. Checked before anything is written, so that a
// refusal leaves no half-written status or headers behind, the same on both paths.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const INVALID_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A response header that would be unsafe to write: a name that is not a token, or a value
 * holding CR, LF, NUL or another control character, which could split the response
 * (docs/reliability.md row 19). The response is refused, never written with the header cleaned up,
 * because the value usually comes from user input the handler forgot to check.
 */
export class InvalidHeaderError extends TypeError {
  readonly header: string;
  constructor(header: string) {
    super(`Refused to send the response header ${JSON.stringify(header)}: its name or value has a character not allowed in HTTP headers (CR, LF, NUL or another control character)`);
    this.name = "InvalidHeaderError";
    this.header = header;
  }
}

// Every response is checked, and the name test costs three times a Set lookup (about 55 ns
// against 16 on Node 24); an app sends the same few names again and again, so names seen valid
// are remembered, up to a bound, since a name can come from input.
const validNames = new Set<string>();
const MAX_REMEMBERED = 1000;

function validName(name: string): boolean {
  if (validNames.has(name)) return true;
  if (!TOKEN.test(name)) return false;
  if (validNames.size < MAX_REMEMBERED) validNames.add(name);
  return true;
}

/** How many valid names are remembered: never more than 1000, whatever names responses carry. */
export function rememberedNames(): number {
  return validNames.size;
}

// The content type of every JSON answer (response.ts, jsonText): plain ASCII with no control
// character, so neither test below need run on it. The two regular expressions were about 500
// of the instructions of a `/slow_task/` request (callgrind, bench/http-callgrind.mjs); the same
// text given as another string still compares equal, so nothing changes but the cost.
const JSON_TYPE = "application/json";

/** Whether `name: value` can be written as it is. */
export function validHeader(name: string, value: string | number | readonly string[]): boolean {
  // The header of every JSON answer, as spry makes it: neither the name's lookup nor the
  // value's test need run (a Set's probe, about 80 instructions a response, callgrind).
  if (value === JSON_TYPE && name === "content-type") return true;
  if (!validName(name)) return false;
  if (typeof value === "number") return true;
  if (typeof value === "string") return value === JSON_TYPE || !INVALID_VALUE.test(value);
  return value.every((one) => !INVALID_VALUE.test(one));
}

/** Throws InvalidHeaderError for the first header that could not be written as it is. */
export function checkHeaders(headers: OutgoingHeaders): void {
  for (const name in headers) {
    if (!validHeader(name, headers[name]!)) throw new InvalidHeaderError(name);
  }
}

/**
 * A header value as HTTP carries it: its UTF-8 bytes, one character per byte (what node:http
 * and the Fetch API's Headers write byte for byte). ASCII, the common case, is returned as it is.
 */
export function wireValue(value: string): string {
  return NON_ASCII.test(value) ? Buffer.from(value).toString("latin1") : value;
}

/** A header's text value (or list of them) as wireValue() gives it; the same value when ASCII. */
export function wireHeaderValue(value: string | string[]): string | string[] {
  if (typeof value === "string") return value !== JSON_TYPE && NON_ASCII.test(value) ? wireValue(value) : value;
  return value.some((v) => NON_ASCII.test(v)) ? value.map(wireValue) : value;
}

/** `headers` with every value as wireValue() gives it; the same object when all are ASCII. */
export function wireHeaders(headers: OutgoingHeaders): OutgoingHeaders {
  let out: OutgoingHeaders | undefined;
  for (const name in headers) {
    const value = headers[name]!;
    if (typeof value === "number") continue;
    const encoded = wireHeaderValue(value);
    if (encoded !== value) (out ??= { ...headers })[name] = encoded;
  }
  return out ?? headers;
}
