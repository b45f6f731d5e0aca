// validation-error.ts and format-errors.ts: each schema issue as pydantic's error, and each
// format's reason, as a live FastAPI words it (see test/framework/fastapi/answers.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import * as v from "valibot";
import { z } from "zod";
import { choiceError, fromIssue, missing, RequestValidationError } from "../../src/framework/validation-error.ts";
import { DATE_INEXACT, daysIn, formatError } from "../../src/framework/format-errors.ts";

const issueOf = (schema: StandardSchemaV1, value: unknown): StandardSchemaV1.Issue => {
  const result = schema["~standard"].validate(value) as StandardSchemaV1.Result<unknown>;
  assert.ok(result.issues?.[0], `expected an issue for ${String(value)}`);
  return result.issues[0];
};
const described = (schema: StandardSchemaV1, value: unknown, loc: (string | number)[] = ["body"]) => fromIssue(issueOf(schema, value), loc, value);

test("the wrong-type table: every expected type zod names, as pydantic's type and message", () => {
  const table: [string, string, string][] = [
    ["string", "string_type", "Input should be a valid string"],
    ["number", "float_type", "Input should be a valid number"],
    ["int", "int_type", "Input should be a valid integer"],
    ["boolean", "bool_type", "Input should be a valid boolean"],
    ["array", "list_type", "Input should be a valid list"],
    ["object", "model_attributes_type", "Input should be a valid dictionary or object to extract fields from"],
    ["record", "dict_type", "Input should be a valid dictionary"],
    ["date", "date_type", "Input should be a valid date"],
    ["bigint", "int_type", "Input should be a valid integer"],
    ["null", "none_required", "Input should be None"],
    ["tuple", "tuple_type", "Input should be a valid tuple"],
    ["set", "set_type", "Input should be a valid set"],
    ["map", "dict_type", "Input should be a valid dictionary"],
    ["symbol", "value_error", "Input should be a valid symbol"],
    // A name that Object.prototype also has is no table entry.
    ["constructor", "value_error", "Input should be a valid constructor"],
    ["toString", "value_error", "Input should be a valid toString"],
  ];
  for (const [expected, type, msg] of table) {
    const issue = { code: "invalid_type", expected, message: "x", path: [] } as StandardSchemaV1.Issue;
    assert.deepEqual(fromIssue(issue, ["query", "q"], 5), { type, msg, loc: ["query", "q"], input: 5 }, expected);
  }
  const none = { code: "invalid_type", message: "x" } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(none, ["body"], 1), { type: "value_error", msg: "Input should be a valid value", loc: ["body"], input: 1 });
  // What zod itself says, through the table.
  assert.equal(described(z.string(), 1).type, "string_type");
  assert.equal(described(z.array(z.int()), 1).type, "list_type");
  assert.equal(described(z.object({}), "x").type, "model_attributes_type");
  assert.equal(described(z.null(), 1).type, "none_required");
});

test("numeric bounds, inclusive and not, with pydantic's ctx", () => {
  assert.deepEqual(described(z.int().gte(5), 4), { type: "greater_than_equal", msg: "Input should be greater than or equal to 5", ctx: { ge: 5 }, loc: ["body"], input: 4 });
  assert.deepEqual(described(z.int().gt(5), 5), { type: "greater_than", msg: "Input should be greater than 5", ctx: { gt: 5 }, loc: ["body"], input: 5 });
  assert.deepEqual(described(z.int().lte(5), 6), { type: "less_than_equal", msg: "Input should be less than or equal to 5", ctx: { le: 5 }, loc: ["body"], input: 6 });
  assert.deepEqual(described(z.int().lt(5), 5), { type: "less_than", msg: "Input should be less than 5", ctx: { lt: 5 }, loc: ["body"], input: 5 });
  assert.deepEqual(described(z.bigint().gte(5n), 4n).ctx, { ge: 5 });
  assert.deepEqual(described(z.int().multipleOf(3), 7), { type: "multiple_of", msg: "Input should be a multiple of 3", ctx: { multiple_of: 3 }, loc: ["body"], input: 7 });
});

test("strings and lists: too short and too long, singular and plural, lists with field_type and actual_length", () => {
  assert.deepEqual(described(z.string().min(1), ""), { type: "string_too_short", msg: "String should have at least 1 character", ctx: { min_length: 1 }, loc: ["body"], input: "" });
  assert.deepEqual(described(z.string().min(2), "a").msg, "String should have at least 2 characters");
  assert.deepEqual(described(z.string().max(1), "ab"), { type: "string_too_long", msg: "String should have at most 1 character", ctx: { max_length: 1 }, loc: ["body"], input: "ab" });
  assert.deepEqual(described(z.string().max(3), "abcd").msg, "String should have at most 3 characters");
  assert.deepEqual(described(z.array(z.int()).min(1), []), {
    type: "too_short", msg: "List should have at least 1 item after validation, not 0", ctx: { field_type: "List", min_length: 1, actual_length: 0 }, loc: ["body"], input: [],
  });
  assert.deepEqual(described(z.array(z.int()).min(2), [1]).msg, "List should have at least 2 items after validation, not 1");
  assert.deepEqual(described(z.array(z.int()).max(1), [1, 2]), {
    type: "too_long", msg: "List should have at most 1 item after validation, not 2", ctx: { field_type: "List", max_length: 1, actual_length: 2 }, loc: ["body"], input: [1, 2],
  });
  assert.deepEqual(described(z.array(z.int()).max(3), [1, 2, 3, 4]).msg, "List should have at most 3 items after validation, not 4");
  assert.deepEqual(described(z.set(z.int()).max(1), new Set([1, 2])).ctx, { field_type: "Set", max_length: 1, actual_length: 2 });
  assert.equal(described(z.set(z.int()).min(2), new Set([1])).msg, "Set should have at least 2 items after validation, not 1");
  // A length issue about something that is no list says no actual length.
  const odd = { code: "too_big", origin: "array", maximum: 2, inclusive: true, message: "x" } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(odd, ["body"], "xyz"), { type: "too_long", msg: "List should have at most 2 items after validation", ctx: { field_type: "List", max_length: 2 }, loc: ["body"], input: "xyz" });
});

test("enums and literals: enum for several strings, literal_error otherwise", () => {
  assert.deepEqual(described(z.enum(["a", "b"]), "c"), { type: "enum", msg: "Input should be 'a' or 'b'", ctx: { expected: "'a' or 'b'" }, loc: ["body"], input: "c" });
  assert.deepEqual(described(z.literal("only"), "x"), { type: "literal_error", msg: "Input should be 'only'", ctx: { expected: "'only'" }, loc: ["body"], input: "x" });
  assert.deepEqual(choiceError([1, "all", true]), { type: "literal_error", msg: "Input should be 1, 'all' or true", ctx: { expected: "1, 'all' or true" } });
  const bare = { code: "invalid_value", message: "x" } as StandardSchemaV1.Issue;
  assert.equal(fromIssue(bare, ["body"], 1).msg, "Input should be ");
});

test("patterns, formats, custom and unknown issues", () => {
  assert.deepEqual(described(z.string().regex(/^a+$/u), "b"), {
    type: "string_pattern_mismatch", msg: "String should match pattern '^a+$'", ctx: { pattern: "^a+$" }, loc: ["body"], input: "b",
  });
  assert.deepEqual(described(z.string().regex(/^a+$/), "b").ctx, { pattern: "^a+$" }, "no flags");
  assert.deepEqual(described(z.string().regex(/^a+$/imu), "b").ctx, { pattern: "^a+$" }, "several flags");
  // A pattern given as its source is reported as it is, slashes and all.
  for (const pattern of ["^x$", "a/b/c", "/a/ b", "/a/1"]) {
    const plain = { code: "invalid_format", format: "regex", pattern, message: "x" } as StandardSchemaV1.Issue;
    assert.deepEqual(fromIssue(plain, ["body"], "y").ctx, { pattern }, pattern);
  }
  const noPattern = { code: "invalid_format", format: "regex", message: "x" } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(noPattern, ["body"], "y").ctx, { pattern: "" });
  assert.deepEqual(described(z.email(), "abc"), {
    type: "value_error", msg: "value is not a valid email address: An email address must have an @-sign.",
    ctx: { reason: "An email address must have an @-sign." }, loc: ["body"], input: "abc",
  });
  assert.equal(described(z.uuid(), "abc").type, "uuid_parsing");
  assert.equal(described(z.url(), "abc").type, "url_parsing");
  assert.equal(described(z.iso.date(), "abc").type, "date_from_datetime_parsing");
  assert.equal(described(z.iso.datetime(), "abc").type, "datetime_from_date_parsing");
  // A format pydantic has no words for, or a value that is no string: zod's message.
  assert.deepEqual(described(z.ipv4(), "x"), { type: "value_error", msg: "Value error, Invalid IPv4 address", loc: ["body"], input: "x" });
  const notText = { code: "invalid_format", format: "email", message: "Invalid email" } as StandardSchemaV1.Issue;
  assert.equal(fromIssue(notText, ["body"], 5).msg, "Value error, Invalid email");
  assert.deepEqual(described(z.string().refine(() => false, "no good"), "x"), { type: "value_error", msg: "Value error, no good", loc: ["body"], input: "x" });
  const other = { code: "something_else", message: "what happened" } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(other, ["body"], 1), { type: "value_error", msg: "what happened", loc: ["body"], input: 1 });
});

test("paths: the issue's path is appended to the location and picks the input; an absent field is missing", () => {
  const Model = z.object({ a: z.object({ b: z.int() }), e: z.enum(["x", "y"]), u: z.union([z.int(), z.boolean()]) });
  const value = { a: { b: "no" } };
  const result = Model["~standard"].validate(value) as StandardSchemaV1.Result<unknown>;
  assert.deepEqual(result.issues!.map((i) => fromIssue(i, ["body", "m"], value)), [
    { type: "float_type", msg: "Input should be a valid number", loc: ["body", "m", "a", "b"], input: "no" },
    { ...missing(["body", "m", "e"]), input: value },
    { ...missing(["body", "m", "u"]), input: value },
  ]);
  // valibot's issues carry no code: absent is absent.
  const vResult = v.safeParse(v.object({ n: v.number() }), {});
  assert.deepEqual(fromIssue(vResult.issues![0] as StandardSchemaV1.Issue, ["body"], {}), { ...missing(["body", "n"]), input: {} });
  const keyed = { code: "custom", message: "m", path: [{ key: "a" }, { key: 0 }] } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(keyed, ["body"], { a: ["x"] }), { type: "value_error", msg: "Value error, m", loc: ["body", "a", 0], input: "x" });
  // A known error (a conversion's) is passed on as it is, at its path.
  const known = { message: "m", path: ["p"], pydantic: { type: "int_parsing", msg: "m", input: "q" } } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(known, ["body"], { p: "ignored" }), { type: "int_parsing", msg: "m", input: "q", loc: ["body", "p"] });
  const deep = { code: "invalid_type", expected: "int", message: "m", path: ["a", "b"] } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(deep, ["body"], { a: 5 }), { ...missing(["body", "a", "b"]), input: 5 });
  // A path through null or a string reads nothing there: the field is missing from it.
  assert.deepEqual(fromIssue(deep, ["body"], { a: null }), { ...missing(["body", "a", "b"]), input: null });
  const indexed = { code: "invalid_type", expected: "int", message: "m", path: ["a", 0] } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(indexed, ["body"], { a: "xyz" }), { ...missing(["body", "a", 0]), input: "xyz" });
  // At the root the caller decides what is missing (FastAPI's input there is null, not the
  // model's): an issue about an undefined value keeps its own name.
  const atRoot = { code: "invalid_type", expected: "int", message: "m" } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(atRoot, ["query", "n"], undefined), { type: "int_type", msg: "Input should be a valid integer", loc: ["query", "n"], input: undefined });
  // A refinement about an absent value is no missing field.
  const refined = { code: "custom", message: "m", path: ["a"] } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(refined, ["body"], {}), { type: "value_error", msg: "Value error, m", loc: ["body", "a"], input: undefined });
});

test("valibot's constraint issues get pydantic's names too", () => {
  const cases: [v.GenericSchema, unknown, string, Record<string, unknown>][] = [
    [v.pipe(v.number(), v.minValue(3)), 2, "greater_than_equal", { ge: 3 }],
    [v.pipe(v.number(), v.gtValue(3)), 3, "greater_than", { gt: 3 }],
    [v.pipe(v.number(), v.maxValue(3)), 4, "less_than_equal", { le: 3 }],
    [v.pipe(v.number(), v.ltValue(3)), 3, "less_than", { lt: 3 }],
    [v.pipe(v.string(), v.minLength(2)), "a", "string_too_short", { min_length: 2 }],
    [v.pipe(v.string(), v.maxLength(1)), "ab", "string_too_long", { max_length: 1 }],
    [v.pipe(v.array(v.number()), v.minLength(1)), [], "too_short", { field_type: "List", min_length: 1, actual_length: 0 }],
    [v.pipe(v.array(v.number()), v.maxLength(1)), [1, 2], "too_long", { field_type: "List", max_length: 1, actual_length: 2 }],
    [v.pipe(v.number(), v.multipleOf(3)), 7, "multiple_of", { multiple_of: 3 }],
  ];
  for (const [schema, value, type, ctx] of cases) {
    const issue = v.safeParse(schema, value).issues![0] as StandardSchemaV1.Issue;
    const detail = fromIssue(issue, ["body"], value);
    assert.deepEqual([detail.type, detail.ctx], [type, ctx], type);
  }
  // Other valibot checks keep valibot's message.
  const email = v.safeParse(v.pipe(v.string(), v.email()), "x").issues![0] as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(email, ["body"], "x"), { type: "value_error", msg: 'Invalid email: Received "x"', loc: ["body"], input: "x" });
  const typeIssue = v.safeParse(v.number(), "x").issues![0] as StandardSchemaV1.Issue;
  assert.equal(fromIssue(typeIssue, ["body"], "x").type, "value_error");
  const named = { kind: "validation", type: "toString", message: "odd", requirement: 1 } as StandardSchemaV1.Issue;
  assert.deepEqual(fromIssue(named, ["body"], 1), { type: "value_error", msg: "odd", loc: ["body"], input: 1 });
});

test("missing is FastAPI's missing-field error: its type, message and null input", () => {
  assert.deepEqual(missing(["query", "q"]), { type: "missing", loc: ["query", "q"], msg: "Field required", input: null });
});

test("RequestValidationError is FastAPI's 422 with the list", () => {
  const error = new RequestValidationError([missing(["query", "q"])]);
  assert.deepEqual([error.status, error.detail, error.name, error.errors], [422, [missing(["query", "q"])], "RequestValidationError", [missing(["query", "q"])]]);
});

const reason = (format: string, text: string) => formatError(format, text)?.ctx?.[format === "email" ? "reason" : "error"];

test("email reasons, as email-validator words them", () => {
  const cases: [string, string][] = [
    ["abc", "An email address must have an @-sign."],
    ["a@", "There must be something after the @-sign."],
    ["@b.com", "There must be something before the @-sign."],
    ["a@b", "The part after the @-sign is not valid. It should have a period."],
    ["a b@example.com", "The email address contains invalid characters before the @-sign: SPACE."],
    ["a@b..com", "An email address cannot have two periods in a row."],
    ["a..b@c.com", "An email address cannot have two periods in a row."],
    ["a@@b.com", "The part after the @-sign contains invalid characters: '@'."],
    ["a@-b.com", "An email address cannot have a hyphen immediately after the @-sign."],
    ["a.@b.com", "An email address cannot have a period immediately before the @-sign."],
    ["a@example.com.", "An email address cannot end with a period."],
    ["a@b.c", "The email address is not valid."],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(formatError("email", text), { type: "value_error", msg: `value is not a valid email address: ${expected}`, ctx: { reason: expected } }, text);
  }
});

test("UUID reasons, as the uuid crate words them", () => {
  const cases: [string, string][] = [
    ["abc", "invalid length: expected length 32 for simple format, found 3"],
    ["", "invalid length: expected length 32 for simple format, found 0"],
    ["zba7b810-9dad-11d1-80b4-00c04fd430c8", "invalid character: found `z` at 1"],
    ["6ba7b810-9dad-11d1-80b4-00c04fd430cg", "invalid character: found `g` at 36"],
    ["6ba7b810x9dad-11d1-80b4-00c04fd430c8", "invalid character: found `x` at 9"],
    ["{6ba7b810-9dad-11d1-80b4-00c04fd430cg}", "invalid character: found `g` at 37"],
    ["urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430cg", "invalid character: found `g` at 45"],
    ["{6ba7b810}", "invalid group count: expected 5, found 1"],
    ["{}", "invalid group count: expected 5, found 1"],
    ["{", "invalid character: found `{` at 1"],
    ["}", "invalid character: found `}` at 1"],
    ["urn:uuid:", "invalid group count: expected 5, found 1"],
    ["6ba7b810-9dad-11d1-80b4", "invalid group count: expected 5, found 4"],
    ["6ba7b810-9dad-11d180b4-00c04fd430c8", "invalid group count: expected 5, found 4"],
    ["6ba7b81-09dad-11d1-80b4-00c04fd430c8", "invalid group length in group 0: expected 8, found 7"],
    ["6ba7b810-9da-d11d1-80b4-00c04fd430c8", "invalid group length in group 1: expected 4, found 3"],
    ["6ba7b810-9dad-11d-180b4-00c04fd430c8", "invalid group length in group 2: expected 4, found 3"],
    ["6ba7b810-9dad-11d1-80b-400c04fd430c8", "invalid group length in group 3: expected 4, found 3"],
    ["6ba7b810-9dad-11d1-80b4-00c04fd430c", "invalid group length in group 4: expected 12, found 11"],
    ["6ba7b810-9dad-11d1-80b4-00c04fd430c8a", "invalid group length in group 4: expected 12, found 13"],
    ["6ba7b810-9dad-01d1-00b4-00c04fd430c8", "invalid UUID version or variant"],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(formatError("uuid", text), { type: "uuid_parsing", msg: `Input should be a valid UUID, ${expected}`, ctx: { error: expected } }, text);
  }
  assert.equal(reason("guid", "abc"), "invalid length: expected length 32 for simple format, found 3");
});

test("URL reasons, as the url crate words them", () => {
  const cases: [string, string][] = [
    ["", "input is empty"],
    ["  ", "input is empty"],
    ["abc", "relative URL without a base"],
    ["//example.com", "relative URL without a base"],
    ["1http://x", "relative URL without a base"],
    ["http://", "empty host"],
    ["https://user@:80/", "empty host"],
    ["http://example.com:99999", "invalid port number"],
    ["http://example.com:8x", "invalid port number"],
    ["http://example.com:123456", "invalid port number"],
    ["http://[::1", "invalid IPv6 address"],
    ["http://256.256.256.256", "invalid IPv4 address"],
    ["http://a b.com", "invalid international domain name"],
    ["http://ab%", "invalid international domain name"],
    ["http://a b1", "invalid international domain name"],
    ["http://1a b", "invalid international domain name"],
    ["http://a b:65535", "invalid international domain name"],
    ["http://99999999999", "invalid IPv4 address"],
    ["http://a%zz.com", "invalid international domain name"],
    ["http://exa<mple.com", "invalid domain character"],
    ["foo:bar baz", "invalid domain character"],
    ["HTTPS://", "empty host"],
    // Spaces and tabs around the URL are dropped first, as the WHATWG parser does.
    [" http://", "empty host"],
    ["http:// ", "empty host"],
    ["\thttp://", "empty host"],
    [" abc", "relative URL without a base"],
    ["http:/example.com:99999", "invalid port number"],
    ["http:///x.com:8x", "invalid port number"],
    ["http://a@b@:80/", "empty host"],
    ["http://[::1]x", "invalid IPv6 address"],
    ["http://1.2.3.4.5", "invalid IPv4 address"],
    ["http://exa mple.com:80", "invalid international domain name"],
    ["http://example.com:65536", "invalid port number"],
    ["http://example.com:65535x", "invalid port number"],
    ["ws://", "empty host"],
    ["wss://", "empty host"],
    ["ftp://", "empty host"],
    ["file://x y", "invalid international domain name"],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(formatError("url", text), { type: "url_parsing", msg: `Input should be a valid URL, ${expected}`, ctx: { error: expected } }, text);
  }
});

test("date reasons, as speedate words them; a datetime with a time of day is inexact", () => {
  const cases: [string, string][] = [
    ["abc", "input is too short"],
    ["2024-1-31", "input is too short"],
    [" 12.5 ", "input is too short"],
    ["86400 ", "input is too short"],
    ["abcdefghij", "invalid character in year"],
    ["x024-01-31", "invalid character in year"],
    ["202x-01-31", "invalid character in year"],
    ["2024-x1-31", "invalid character in month"],
    ["2024-01-x1", "invalid character in day"],
    ["2024/01/31", "invalid date separator, expected `-`"],
    ["2024/01-31", "invalid date separator, expected `-`"],
    ["2024-02-29x", "invalid datetime separator, expected `T`, `t`, `_` or space"],
    ["2024-01/31", "invalid date separator, expected `-`"],
    ["2024-0a-31", "invalid character in month"],
    ["2024-01-3x", "invalid character in day"],
    ["2024-00-10", "month value is outside expected range of 1-12"],
    ["2024-13-01", "month value is outside expected range of 1-12"],
    ["2024-01-00", "day value is outside expected range"],
    ["2024-02-30", "day value is outside expected range"],
    ["2023-02-29", "day value is outside expected range"],
    ["2024-04-31", "day value is outside expected range"],
    ["2024-01-31x", "invalid datetime separator, expected `T`, `t`, `_` or space"],
    ["2024-12-01x", "invalid datetime separator, expected `T`, `t`, `_` or space"],
    ["2024-01-31T", "input is too short"],
    ["2024-01-31T1", "input is too short"],
    ["2024-01-31Tab:00", "invalid character in hour"],
    ["2024-01-31Tx0:00", "invalid character in hour"],
    ["2024-01-31T1x:00", "invalid character in hour"],
    ["2024-01-31T10:x0", "invalid character in minute"],
    ["2024-01-31T10-00", "invalid time separator, expected `:`"],
    ["2024-01-31T10:xx", "invalid character in minute"],
    ["2024-01-31T24:00", "hour value is outside expected range of 0-23"],
    ["2024-01-31T23:60", "minute value is outside expected range of 0-59"],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(formatError("date", text), { type: "date_from_datetime_parsing", msg: `Input should be a valid date or datetime, ${expected}`, ctx: { error: expected } }, text);
  }
  for (const text of ["2024-01-31T10:00:00", "2024-01-31 10:00", "2024", "12.5", "12.55", "-86400", "+86400.5", "2024-01-31", "2024-01-31T10:59", "2024-01-31t10:00", "2024-01-31_10:00"]) assert.deepEqual(formatError("date", text), DATE_INEXACT, text);
  assert.deepEqual(DATE_INEXACT, { type: "date_from_datetime_inexact", msg: "Datetimes provided to dates should have zero time - e.g. be exact dates" });
});

test("datetime reasons: the date's, as pydantic reports them", () => {
  const cases: [string, string][] = [
    ["abc", "input is too short"],
    ["", "input is too short"],
    ["2024-01-31", "input is too short"],
    ["2024-01-31T25:00:00", "unexpected extra characters at the end of the input"],
    ["2024-13-01T10:00:00", "month value is outside expected range of 1-12"],
    ["x024-01-31T10:00:00", "invalid character in year"],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(formatError("datetime", text), { type: "datetime_from_date_parsing", msg: `Input should be a valid datetime or date, ${expected}`, ctx: { error: expected } }, text);
  }
  assert.equal(formatError("ipv4", "x"), undefined);
});

test("daysIn: the calendar's month lengths, leap years included", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysIn(2023, m)), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
  assert.deepEqual([2024, 1900, 2000, 2023].map((y) => daysIn(y, 2)), [29, 28, 29, 28]);
});
