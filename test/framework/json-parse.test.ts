// body/json.ts: parsing a JSON body, its refusals and their exact errors (the HTTP view of the
// same is test/framework/body-json.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException } from "spry";
import { MAX_JSON_DEPTH, parseJson } from "../../src/framework/body/json.ts";
import { RequestValidationError } from "../../src/framework/validation-error.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test("JSON of any type parses, from a view into a larger buffer too", () => {
  assert.deepEqual(parseJson(bytes('{"a":[1,"x",null,true]}')), { a: [1, "x", null, true] });
  assert.equal(parseJson(bytes("null")), null);
  assert.equal(parseJson(bytes('"caf\u00e9"')), "caf\u00e9");
  const whole = bytes('xx{"b":2}yy');
  assert.deepEqual(parseJson(whole.subarray(2, 9)), { b: 2 });
});

test("invalid JSON is FastAPI's 422 json_invalid, with the position and Python's words", () => {
  const cases: [string, number, string][] = [
    ['{"a":', 5, "Expecting value"],
    ["{", 1, "Expecting property name enclosed in double quotes"],
    ['{"a" 1}', 5, "Expecting ':' delimiter"],
    ["[1 2]", 3, "Expecting ',' delimiter"],
    ["1 2", 2, "Extra data"],
    ['"abc', 0, "Unterminated string starting at"],
  ];
  for (const [text, position, message] of cases) {
    assert.throws(() => parseJson(bytes(text)), (error: unknown) => {
      assert.ok(error instanceof RequestValidationError, text);
      assert.deepEqual(error.errors, [{ type: "json_invalid", loc: ["body", position], msg: "JSON decode error", input: {}, ctx: { error: message } }], text);
      return true;
    });
  }
});

test("__proto__ and constructor.prototype keys are a 400 naming them", () => {
  for (const text of ['{"__proto__":{"x":1}}', '{"a":{"constructor":{"prototype":{"x":1}}}}']) {
    assert.throws(() => parseJson(bytes(text)), (error: unknown) => {
      assert.ok(error instanceof HTTPException && !(error instanceof RequestValidationError));
      assert.deepEqual([error.status, error.detail], [400, "JSON body contains a forbidden key (__proto__ or constructor.prototype)"]);
      return true;
    });
  }
  assert.deepEqual(parseJson(bytes('{"constructor":1}')), { constructor: 1 });
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test("nesting: up to the cap parses; one level more is a 400 before parsing; strings and escapes do not count", () => {
  assert.equal(MAX_JSON_DEPTH, 128);
  const nested = (depth: number, open = "[", close = "]") => open.repeat(depth) + close.repeat(depth);
  assert.doesNotThrow(() => parseJson(bytes(nested(128))));
  assert.doesNotThrow(() => parseJson(bytes(nested(3)), 3));
  for (const [text, cap] of [[nested(129), 128], [nested(4), 3], [`{"a":${nested(3)}}`, 3], [nested(200, '{"a":', "}").replaceAll('{"a":}', "{}"), 128]] as const) {
    assert.throws(() => parseJson(bytes(text), cap), (error: unknown) => {
      assert.ok(error instanceof HTTPException);
      assert.deepEqual([error.status, error.detail], [400, `JSON body is nested deeper than ${cap} levels`]);
      return true;
    }, `${text.slice(0, 20)} cap ${cap}`);
  }
  // Brackets inside strings, escaped quotes included, are text, not nesting.
  const inString = `["${"[".repeat(300)}", "\\"${"{".repeat(300)}"]`;
  assert.equal((parseJson(bytes(inString)) as string[]).length, 2);
  const escapedBackslash = `["\\\\", ${nested(3)}]`;
  assert.throws(() => parseJson(bytes(escapedBackslash), 3), /nested deeper than 3/);
  assert.doesNotThrow(() => parseJson(bytes(escapedBackslash), 4));
  // Closing brackets bring the depth back down: many shallow siblings are fine.
  assert.doesNotThrow(() => parseJson(bytes(`[${Array(100).fill(nested(3)).join(",")}]`), 4));
  assert.doesNotThrow(() => parseJson(bytes(`[${Array(100).fill('{"a":{}}').join(",")}]`), 3));
  // Both kinds of bracket count, wherever the first of each kind is.
  assert.throws(() => parseJson(bytes('[{"a":{"b":{"c":{}}}}]'), 3), /nested deeper than 3/);
  assert.throws(() => parseJson(bytes('{"a":[[[[]]]]}'), 3), /nested deeper than 3/);
  // A text shorter than the cap counts as well as a long one.
  assert.doesNotThrow(() => parseJson(bytes("[[1]]"), 2));
  assert.throws(() => parseJson(bytes("[[[1]]]"), 2), /nested deeper than 2/);
});
