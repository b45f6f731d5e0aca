// toolkit/cookie-value.ts against the `cookie` package's parse(), which `ctx.cookies` uses: for
// every header and name, the one cookie found is the value parse() gives that name, absent
// included, over generated headers full of the characters its parsing turns on (=, ;, blanks,
// percent escapes good and bad). The routes' answers are test/framework/inputs.test.ts's.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parse } from "cookie";
import { cookieValue } from "../../src/toolkit/cookie-value.ts";

const NAMES = ["a", "b", "ab", "session", "", "__proto__", "constructor", " a", "a b"];

function same(header: string | undefined): void {
  const all = header === undefined ? {} : parse(header);
  // Own keys only: parse()'s object has a prototype of its own, which `all.__proto__` would find.
  const found = (name: string) => (Object.hasOwn(all, name) ? all[name] : undefined);
  for (const name of [...NAMES, ...Object.keys(all)]) assert.equal(cookieValue(header, name), found(name), `${JSON.stringify(header)}, ${JSON.stringify(name)}`);
}

test("the cookies of ordinary headers, one or several, first of a name winning", () => {
  for (const header of [undefined, "", "a", "a=", "=", "a=1", "session=abc123", "a=1; b=2", "a=1;b=2", "a=1; a=2", " a = 1 ; b\t=\t2 ", "a=%20x", "a=%E0%A4%A", "a=\"q\"", "ab=1; a=2", "a=1=2", "x; a=1", "x;a=1; b", "a=1;", ";a=1", "__proto__=p; constructor=c", "a b=1"]) same(header);
});

test("the same value as parse() for any header made of the characters its parsing turns on", () => {
  const piece = fc.constantFrom("a", "b", "ab", "session", "=", ";", " ", "\t", "%", "%20", "%zz", "1", "\"", "__proto__", "é");
  fc.assert(fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => same(pieces.join(""))), { numRuns: 5000 });
});
