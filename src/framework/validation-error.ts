import type { StandardSchemaV1 } from "@standard-schema/spec";
import { HTTPException } from "../common/http-exception.ts";
import { formatError } from "./format-errors.ts";

/** One entry of a 422 body, in FastAPI's current (pydantic 2) shape. */
export interface ErrorDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/**
 * The request did not match what the route declares: 422 with every failing input listed.
 *
 * @example
 * // GET /slow_task/abc
 * // 422 {"detail":[{"type":"int_parsing","loc":["path","item_id"],
 * //   "msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}
 */
export class RequestValidationError extends HTTPException {
  readonly errors: ErrorDetail[];
  constructor(errors: ErrorDetail[]) {
    super(422, errors);
    this.name = "RequestValidationError";
    this.errors = errors;
  }
}

export function missing(loc: (string | number)[]): ErrorDetail {
  return { type: "missing", loc, msg: "Field required", input: null };
}

// What zod says of a required field that was not sent: a type, an enum or a union it misses.
const ABSENT_CODES = new Set(["invalid_type", "invalid_value", "invalid_union"]);

/** A Standard Schema issue as a pydantic-style error; zod's issue codes map to pydantic's types. */
export function fromIssue(issue: StandardSchemaV1.Issue, loc: (string | number)[], input: unknown): ErrorDetail {
  const path = (issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p)) as (string | number)[];
  const at = [...loc, ...path];
  const known = (issue as Partial<DescribedIssue>).pydantic;
  if (known !== undefined) return { ...known, loc: at };
  const value = valueAt(input, path);
  const code = (issue as ZodLikeIssue).code;
  if (path.length > 0 && value === undefined && (code === undefined || ABSENT_CODES.has(code))) {
    // An absent field, reported as pydantic does: with the object it is missing from.
    return { ...missing(at), input: valueAt(input, path.slice(0, -1)) };
  }
  return { ...describe(zodLike(issue, value), value), loc: at, input: value };
}

interface ValibotLikeIssue extends StandardSchemaV1.Issue {
  type?: string;
  requirement?: unknown;
  input?: unknown;
}

// valibot's constraint issues in zod's terms, so that both get pydantic's names. Type issues
// need none: the JSON body's conversion, or the URL's, names them first.
// A length is always inclusive: bound() words a length without it.
const VALIBOT_BOUNDS = new Map<string | undefined, [code: string, inclusive?: boolean]>([
  ["min_value", ["too_small", true]],
  ["gt_value", ["too_small", false]],
  ["max_value", ["too_big", true]],
  ["lt_value", ["too_big", false]],
  ["min_length", ["too_small"]],
  ["max_length", ["too_big"]],
]);

// Only valibot's checks have these `type`s: zod's issues have none, and valibot's type issues
// are named after the type (`number`).
function zodLike(issue: StandardSchemaV1.Issue, value: unknown): ZodLikeIssue {
  const { type, requirement, input: checked = value } = issue as ValibotLikeIssue;
  if (type === "multiple_of") return { ...issue, code: "not_multiple_of", divisor: requirement as number };
  const bound = VALIBOT_BOUNDS.get(type);
  if (bound === undefined) return issue as ZodLikeIssue;
  // What valibot checked (the converted value), not what the client sent; a number has no origin.
  const origin = Array.isArray(checked) ? "array" : typeof checked === "string" ? "string" : undefined;
  const [code, inclusive] = bound;
  const limit = requirement as number;
  return { ...issue, code, origin, inclusive, ...(code === "too_small" ? { minimum: limit } : { maximum: limit }) };
}

/** An issue whose pydantic error is already known (a failed conversion, see body/json-convert.ts). */
export interface DescribedIssue extends StandardSchemaV1.Issue {
  readonly pydantic: Pick<ErrorDetail, "type" | "msg" | "ctx" | "input">;
}

/** pydantic's error for a value outside an enum (all strings) or a set of literals. */
export function choiceError(values: readonly unknown[]): Required<Pick<ErrorDetail, "type" | "msg" | "ctx">> {
  const quoted = values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
  const expected = quoted.length <= 1 ? (quoted[0] ?? "") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
  const allStrings = values.every((v) => typeof v === "string");
  return { type: allStrings && values.length > 1 ? "enum" : "literal_error", msg: `Input should be ${expected}`, ctx: { expected } };
}

interface ZodLikeIssue extends StandardSchemaV1.Issue {
  code?: string;
  origin?: string;
  expected?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: unknown[];
  divisor?: number;
  format?: string;
  pattern?: string;
}

type Described = Pick<ErrorDetail, "type" | "msg" | "ctx">;

function describe(issue: ZodLikeIssue, value: unknown): Described {
  switch (issue.code) {
    case "too_small":
      return bound(issue, issue.minimum, "at least", issue.inclusive ? "greater_than_equal" : "greater_than", value);
    case "too_big":
      return bound(issue, issue.maximum, "at most", issue.inclusive ? "less_than_equal" : "less_than", value);
    case "invalid_value": {
      return choiceError(issue.values ?? []);
    }
    case "not_multiple_of":
      return { type: "multiple_of", msg: `Input should be a multiple of ${issue.divisor}`, ctx: { multiple_of: issue.divisor } };
    case "invalid_format":
      if (issue.format === "regex") {
        const pattern = regexSource(issue.pattern ?? "");
        return { type: "string_pattern_mismatch", msg: `String should match pattern '${pattern}'`, ctx: { pattern } };
      }
      if (typeof value === "string") {
        const known = formatError(issue.format, value);
        if (known !== undefined) return known;
      }
      return { type: "value_error", msg: `Value error, ${issue.message}` };
    case "invalid_type":
      return wrongType(issue.expected);
    case "custom":
      return { type: "value_error", msg: `Value error, ${issue.message}` };
    default:
      return { type: "value_error", msg: issue.message };
  }
}

function bound(issue: ZodLikeIssue, limit: number | bigint | undefined, side: string, numberType: string, value: unknown): Described {
  const n = Number(limit);
  switch (issue.origin) {
    case "string":
      return side === "at least"
        ? { type: "string_too_short", msg: `String should have at least ${n} character${n === 1 ? "" : "s"}`, ctx: { min_length: n } }
        : { type: "string_too_long", msg: `String should have at most ${n} character${n === 1 ? "" : "s"}`, ctx: { max_length: n } };
    case "array":
    case "set": {
      const fieldType = issue.origin === "set" ? "Set" : "List";
      const actual = Array.isArray(value) ? value.length : value instanceof Set ? value.size : undefined;
      const not = actual === undefined ? "" : `, not ${actual}`;
      const items = `item${n === 1 ? "" : "s"} after validation${not}`;
      const [type, bound] = side === "at least" ? ["too_short", "min_length"] : ["too_long", "max_length"];
      const ctx: Record<string, unknown> = { field_type: fieldType, [bound]: n };
      if (actual !== undefined) ctx.actual_length = actual;
      return { type, msg: `${fieldType} should have ${side} ${n} ${items}`, ctx };
    }
    default: {
      const words: Record<string, [string, string]> = {
        greater_than_equal: ["greater than or equal to", "ge"],
        greater_than: ["greater than", "gt"],
        less_than_equal: ["less than or equal to", "le"],
        less_than: ["less than", "lt"],
      };
      const [phrase, key] = words[numberType]!;
      return { type: numberType, msg: `Input should be ${phrase} ${n}`, ctx: { [key]: n } };
    }
  }
}

const TYPE_NAMES = new Map<string | undefined, [string, string]>([
  ["string", ["string_type", "Input should be a valid string"]],
  ["number", ["float_type", "Input should be a valid number"]],
  ["int", ["int_type", "Input should be a valid integer"]],
  ["boolean", ["bool_type", "Input should be a valid boolean"]],
  ["array", ["list_type", "Input should be a valid list"]],
  ["object", ["model_attributes_type", "Input should be a valid dictionary or object to extract fields from"]],
  ["record", ["dict_type", "Input should be a valid dictionary"]],
  ["date", ["date_type", "Input should be a valid date"]],
  ["bigint", ["int_type", "Input should be a valid integer"]],
  ["null", ["none_required", "Input should be None"]],
  ["tuple", ["tuple_type", "Input should be a valid tuple"]],
  ["set", ["set_type", "Input should be a valid set"]],
  ["map", ["dict_type", "Input should be a valid dictionary"]],
]);

function wrongType(expected: string | undefined): Described {
  const [type, msg] = TYPE_NAMES.get(expected) ?? ["value_error", `Input should be a valid ${expected ?? "value"}`];
  return { type, msg };
}

// zod reports a pattern as the RegExp's literal ("/^a+$/u"); pydantic reports its source.
function regexSource(pattern: string): string {
  const literal = /^\/(.*)\/[a-z]*$/s.exec(pattern);
  return literal === null ? pattern : literal[1]!;
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
