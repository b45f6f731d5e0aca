// toolkit/header-check.ts: the response headers node:http would refuse are refused before
// anything is written, on both entry points alike (the end-to-end cases are in
// test/toolkit/middleware/header-injection.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHeaders, InvalidHeaderError, rememberedNames, validHeader, wireHeaders, wireValue } from "../../src/toolkit/header-check.ts";

test("a name is an HTTP token: letters, digits and !#$%&'*+.^_`|~-, nothing else, not empty", () => {
  for (const name of ["x", "content-type", "X-Token", "a1", "!#$%&'*+.^_`|~-"]) assert.equal(validHeader(name, "v"), true, name);
  for (const name of ["", "a b", "a:b", "a\r\nb", "a\nb", "ä", "a/b", "(x)", "a,b", "a\u0000", "a\"b", "a@b", "[x]", "{x}", "a=b", "a;b", "a?b", "a\\b"]) {
    assert.equal(validHeader(name, "v"), false, JSON.stringify(name));
  }
});

test("a value is any text but the control characters: CR, LF, NUL, the other C0 controls and DEL are refused (docs/reliability.md row 36)", () => {
  for (const value of ["", "plain", "a\tb", " spaced ", "~", "caf\u00e9", "\u00ff", "\u0080", "\u0100", "emoji \u{1F600}", "a\u2028b", "\u{E09DB}"]) assert.equal(validHeader("x", value), true, JSON.stringify(value));
  for (const value of ["a\r\nset-cookie: x", "a\nb", "a\rb", "a\u0000", "\u0001", "\u001f", "\u007f"]) {
    assert.equal(validHeader("x", value), false, JSON.stringify(value));
  }
  assert.equal(validHeader("x", 42), true, "numbers are always writable");
  assert.equal(validHeader("x", ["a", "b"]), true);
  assert.equal(validHeader("x", ["a", "b\r\n"]), false, "every value of a list is checked");
  assert.equal(validHeader("x", ["a\n", "b"]), false);
  assert.equal(validHeader("x", []), true);
  assert.equal(validHeader("bad name", 42), false, "a number does not excuse the name");
});

test("a name seen valid is remembered, and an invalid one never is", () => {
  assert.equal(validHeader("x-remembered", "a"), true);
  assert.equal(validHeader("x-remembered", "a\n"), false, "the value is still checked");
  assert.equal(validHeader("x remembered", "a"), false);
  assert.equal(validHeader("x remembered", "a"), false);
  // More names than are remembered are still checked, each time.
  for (let i = 0; i < 1100; i++) assert.equal(validHeader(`x-${i}`, "v"), true);
  assert.equal(validHeader("x-1099", "v"), true);
  assert.equal(validHeader("x-1099 ", "v"), false);
  // Names a client can choose (echoed back, say) never grow the memory past the bound.
  assert.equal(rememberedNames(), 1000);
});

test("checkHeaders throws InvalidHeaderError naming the first bad header; good headers pass", () => {
  assert.doesNotThrow(() => checkHeaders({ "content-type": "text/plain", "content-length": 5, "set-cookie": ["a=1", "b=2"] }));
  assert.doesNotThrow(() => checkHeaders({}));
  assert.throws(() => checkHeaders({ ok: "1", "x-bad": "a\r\nb", "y bad": "1" }), (error: unknown) => {
    assert.ok(error instanceof InvalidHeaderError);
    assert.ok(error instanceof TypeError);
    assert.equal(error.name, "InvalidHeaderError");
    assert.equal(error.header, "x-bad");
    assert.equal(
      error.message,
      'Refused to send the response header "x-bad": its name or value has a character not allowed in HTTP headers (CR, LF, NUL or another control character)',
    );
    return true;
  });
  assert.throws(() => checkHeaders({ "bad name": "1" }), (error: InvalidHeaderError) => error.header === "bad name");
});

test("wireValue: a value's UTF-8 bytes, one character per byte; ASCII and ASCII-only headers untouched", () => {
  assert.equal(wireValue("plain"), "plain");
  assert.deepEqual(Buffer.from(wireValue("café"), "latin1"), Buffer.from("café", "utf8"));
  assert.deepEqual(Buffer.from(wireValue("\u{E09DB}"), "latin1"), Buffer.from([0xf3, 0xa0, 0xa7, 0x9b]));
  const ascii = { a: "1", b: 2, c: ["x", "y"] };
  assert.equal(wireHeaders(ascii), ascii, "the same object: nothing copied");
  const mixed = { a: "1", b: ["é", "x"] };
  assert.deepEqual(wireHeaders(mixed), { a: "1", b: [wireValue("é"), "x"] });
  assert.deepEqual(mixed, { a: "1", b: ["é", "x"] }, "the given headers are not changed");
});
