/**
 * The value of one cookie in a Cookie header, as the `cookie` package's parse() (what
 * `ctx.cookies` is built with) gives it for that name: the first pair of that name, its name and
 * value trimmed of spaces and tabs, the value percent-decoded when it decodes. A route declares
 * the cookies it reads: finding those few, rather than making an object of every pair, saves the
 * object's dictionary and a key string per pair (about 1,600 instructions of bench/apps/spry-inputs.ts's
 * request went to the whole parse, callgrind). test/toolkit/cookie-value.test.ts compares the two.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const length = header.length;
  if (length < 2) return undefined;
  let index = 0;
  do {
    const eq = header.indexOf("=", index);
    if (eq === -1) return undefined;
    const semicolon = header.indexOf(";", index);
    const end = semicolon === -1 ? length : semicolon;
    // A pair without "=" before the next ";": what follows its ";" is read as the next pair's start.
    if (eq > end) {
      index = header.lastIndexOf(";", eq - 1) + 1;
      continue;
    }
    if (trimmedIs(header, index, eq, name)) return decoded(trimmed(header, eq + 1, end));
    index = end + 1;
  } while (index < length);
  return undefined;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

// Whether header[from, to), trimmed, is `name`, without slicing it out: compared a character at
// a time, which for a cookie's short name costs less than a call to startsWith.
function trimmedIs(header: string, from: number, to: number, name: string): boolean {
  let start = from;
  let end = to;
  while (start < end && isBlank(header.charCodeAt(start))) start++;
  while (end > start && isBlank(header.charCodeAt(end - 1))) end--;
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (header.charCodeAt(start + i) !== name.charCodeAt(i)) return false;
  return true;
}

function trimmed(header: string, from: number, to: number): string {
  let start = from;
  let end = to;
  while (start < end && isBlank(header.charCodeAt(start))) start++;
  while (end > start && isBlank(header.charCodeAt(end - 1))) end--;
  return header.slice(start, end);
}

function decoded(value: string): string {
  if (value.indexOf("%") === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
