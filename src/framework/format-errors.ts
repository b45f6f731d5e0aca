/**
 * Why a string is not a valid email, UUID, URL, date or datetime, in the words pydantic uses
 * (it quotes email-validator, the uuid and url crates and speedate). The schema decides
 * whether a string is valid; these only name the reason once it has refused one, so they run
 * on the error path alone. Each reason is the one pydantic gives for the same text, checked
 * against a live FastAPI (test/framework/body-conversion.test.ts holds the cases).
 */

/** pydantic's error (`type`, `msg`, `ctx`) for a string the schema refused as `format`. */
export interface FormatError {
  type: string;
  msg: string;
  ctx?: Record<string, unknown>;
}

export function formatError(format: string | undefined, text: string): FormatError | undefined {
  switch (format) {
    case "email": {
      const reason = emailReason(text);
      return { type: "value_error", msg: `value is not a valid email address: ${reason}`, ctx: { reason } };
    }
    case "uuid":
    case "guid": {
      const error = uuidReason(text);
      return { type: "uuid_parsing", msg: `Input should be a valid UUID, ${error}`, ctx: { error } };
    }
    case "url": {
      const error = urlReason(text);
      return { type: "url_parsing", msg: `Input should be a valid URL, ${error}`, ctx: { error } };
    }
    case "date": {
      const error = dateReason(text);
      if (error === undefined) return DATE_INEXACT;
      return { type: "date_from_datetime_parsing", msg: `Input should be a valid date or datetime, ${error}`, ctx: { error } };
    }
    case "datetime": {
      // pydantic tries a datetime, then a date, and reports the date's reason.
      const error = dateOnlyReason(text) ?? (text.length > 10 ? EXTRA : undefined) ?? "input is too short";
      return { type: "datetime_from_date_parsing", msg: `Input should be a valid datetime or date, ${error}`, ctx: { error } };
    }
  }
  return undefined;
}

export const DATE_INEXACT: FormatError = {
  type: "date_from_datetime_inexact",
  msg: "Datetimes provided to dates should have zero time - e.g. be exact dates",
};

const EXTRA = "unexpected extra characters at the end of the input";

function emailReason(text: string): string {
  const at = text.lastIndexOf("@");
  if (at === -1) return "An email address must have an @-sign.";
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local === "") return "There must be something before the @-sign.";
  if (domain === "") return "There must be something after the @-sign.";
  if (local.includes("@")) return "The part after the @-sign contains invalid characters: '@'.";
  if (/\s/.test(local)) return "The email address contains invalid characters before the @-sign: SPACE.";
  if (text.endsWith(".")) return "An email address cannot end with a period.";
  if (local.endsWith(".")) return "An email address cannot have a period immediately before the @-sign.";
  if (text.includes("..")) return "An email address cannot have two periods in a row.";
  if (domain.startsWith("-")) return "An email address cannot have a hyphen immediately after the @-sign.";
  if (!domain.includes(".")) return "The part after the @-sign is not valid. It should have a period.";
  return "The email address is not valid.";
}

// The uuid crate's diagnosis, which pydantic quotes: a bad character first, then the count of
// groups, then each group's length.
function uuidReason(text: string): string {
  let body = text;
  let offset = 0;
  let simple = true;
  if (text.startsWith("{") && text.endsWith("}")) {
    body = text.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (text.startsWith("urn:uuid:")) {
    body = text.slice(9);
    offset = 9;
    simple = false;
  }
  const bad = /[^0-9a-fA-F-]/.exec(body);
  if (bad !== null) return `invalid character: found \`${bad[0]}\` at ${bad.index + offset + 1}`;
  const hyphens = [...body.matchAll(/-/g)].map((hyphen) => hyphen.index);
  if (hyphens.length === 0 && simple) return `invalid length: expected length 32 for simple format, found ${body.length}`;
  if (hyphens.length !== 4) return `invalid group count: expected 5, found ${hyphens.length + 1}`;
  const starts = [0, 9, 14, 19, 24];
  const lengths = [8, 4, 4, 4, 12];
  for (let group = 0; group < 4; group++) {
    const found = hyphens[group]! - starts[group]!;
    if (found !== lengths[group]) return `invalid group length in group ${group}: expected ${lengths[group]}, found ${found}`;
  }
  const last = body.length - 24;
  if (last !== 12) return `invalid group length in group 4: expected 12, found ${last}`;
  return "invalid UUID version or variant";
}

const SPECIAL_SCHEMES = new Set(["http", "https", "ws", "wss", "ftp", "file"]);

// The url crate's reasons (it follows the WHATWG URL standard, as `new URL` does).
function urlReason(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "input is empty";
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed);
  if (scheme === null) return "relative URL without a base";
  if (!SPECIAL_SCHEMES.has(scheme[1]!.toLowerCase())) return "invalid domain character";
  const authority = /^[^:]+:\/*([^/?#]*)/.exec(trimmed)![1]!;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort.startsWith("[")) return "invalid IPv6 address";
  const colon = hostPort.lastIndexOf(":");
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  if (host === "") return "empty host";
  if (colon !== -1 && !/^\d{0,5}$/.test(hostPort.slice(colon + 1))) return "invalid port number";
  if (colon !== -1 && Number(hostPort.slice(colon + 1)) > 65535) return "invalid port number";
  if (/^[\d.]+$/.test(host)) return "invalid IPv4 address";
  if (/[\s%]/.test(host)) return "invalid international domain name";
  return "invalid domain character";
}

// Each slice tested is of a known, non-zero length.
const DIGITS = /^\d+$/;

// speedate's reasons for the first ten characters of YYYY-MM-DD, or undefined when they are a
// date and only extra characters follow. A text of digits alone is a Unix timestamp to
// pydantic, never a date here, so it is "inexact" (undefined from dateReason).
function dateOnlyReason(text: string): string | undefined {
  if (text.length < 10) return "input is too short";
  if (!DIGITS.test(text.slice(0, 4))) return "invalid character in year";
  if (text[4] !== "-") return "invalid date separator, expected `-`";
  if (!DIGITS.test(text.slice(5, 7))) return "invalid character in month";
  if (text[7] !== "-") return "invalid date separator, expected `-`";
  if (!DIGITS.test(text.slice(8, 10))) return "invalid character in day";
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12) return "month value is outside expected range of 1-12";
  if (day < 1 || day > daysIn(year, month)) return "day value is outside expected range";
  return undefined;
}

/** The reason a date field refuses `text`, or undefined when it is a datetime with a time of day. */
function dateReason(text: string): string | undefined {
  if (/^[+-]?\d+(?:\.\d+)?$/.test(text)) return undefined;
  const dateError = dateOnlyReason(text);
  if (dateError !== undefined) return dateError;
  if (text.length === 10) return undefined;
  if (!"Tt_ ".includes(text[10]!)) return "invalid datetime separator, expected `T`, `t`, `_` or space";
  const time = text.slice(11);
  if (time.length < 5) return "input is too short";
  if (!DIGITS.test(time.slice(0, 2))) return "invalid character in hour";
  if (time[2] !== ":") return "invalid time separator, expected `:`";
  if (!DIGITS.test(time.slice(3, 5))) return "invalid character in minute";
  if (Number(time.slice(0, 2)) > 23) return "hour value is outside expected range of 0-23";
  if (Number(time.slice(3, 5)) > 59) return "minute value is outside expected range of 0-59";
  return undefined;
}

export function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
