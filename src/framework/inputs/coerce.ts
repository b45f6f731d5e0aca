import { choiceError, type ErrorDetail } from "../validation-error.ts";
import { resolve, withoutNull, type JsonSchema } from "./json-schema.ts";

/** Why a value could not be converted, named as pydantic names it. */
export class CoercionFailure {
  readonly type: string;
  readonly msg: string;
  readonly ctx: Record<string, unknown> | undefined;
  constructor(type: string, msg: string, ctx?: Record<string, unknown>) {
    this.type = type;
    this.msg = msg;
    this.ctx = ctx;
  }
}

/**
 * No member of a union took the value: one failure per member, each reported at the union's
 * location plus the member's name (`["query", "v", "int"]`), as pydantic reports them.
 */
export class UnionFailure extends CoercionFailure {
  readonly members: readonly (readonly [tag: string, failure: CoercionFailure])[];
  constructor(members: readonly (readonly [string, CoercionFailure])[]) {
    super(members[0]![1].type, members[0]![1].msg);
    this.members = members;
  }
}

/** The 422 entries for a failed conversion of `input` at `loc`. */
export function failureDetails(failure: CoercionFailure, loc: readonly (string | number)[], input: unknown): ErrorDetail[] {
  if (failure instanceof UnionFailure) {
    return failure.members.flatMap(([tag, member]) => failureDetails(member, [...loc, tag], input));
  }
  const detail: ErrorDetail = { type: failure.type, loc: [...loc], msg: failure.msg, input };
  if (failure.ctx !== undefined) detail.ctx = failure.ctx;
  return [detail];
}

/** Converts one string from a URL, header or cookie to the type its schema declares. */
export type Coerce = (raw: string) => unknown;

export const INT_PARSING = new CoercionFailure("int_parsing", "Input should be a valid integer, unable to parse string as an integer");
export const INT_SIZE = new CoercionFailure("int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size");
export const FLOAT_PARSING = new CoercionFailure("float_parsing", "Input should be a valid number, unable to parse string as a number");
export const BOOL_PARSING = new CoercionFailure("bool_parsing", "Input should be a valid boolean, unable to interpret input");

// Python's int() and float() on a string, as pydantic's lax mode applies them: surrounding
// whitespace, a sign, `_` between digits; an integer may end in `.0`, never in an exponent.
const DIGITS = String.raw`\d+(?:_\d+)*`;
const INTEGER = new RegExp(String.raw`^\s*[+-]?${DIGITS}(?:\.0+)?\s*$`);
const DECIMAL = new RegExp(String.raw`^\s*[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?\s*$`);

// An integer past 2^53 cannot be represented exactly as a JS number: refusing it beats
// answering with a silently rounded value (docs/reliability.md row 13).
export const toInteger: Coerce = (raw) => {
  // Plain digits, the common case (a path id), skip the regular expression and the `_` removal.
  const plain = plainDigits(raw);
  if (plain !== -1) return plain;
  if (!INTEGER.test(raw)) return INT_PARSING;
  const value = Number(raw.replaceAll("_", "")) + 0; // + 0: "-0" is 0, as in Python
  return Number.isSafeInteger(value) ? value : INT_SIZE;
};

// The value of 1 to 15 ASCII digits (always a safe integer, read as int() reads them), else -1.
// Summed here rather than read again by Number(), whose conversion of a new string cost more
// than this loop (callgrind, `/slow_task/42`).
function plainDigits(raw: string): number {
  const n = raw.length;
  if (n === 0 || n > 15) return -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

// Infinity and NaN are refused: JSON cannot carry them back out (FastAPI accepts "inf" and
// then fails with a 500 when it answers with it).
export const toNumber: Coerce = (raw) => {
  if (!DECIMAL.test(raw)) return FLOAT_PARSING;
  const value = Number(raw.replaceAll("_", ""));
  return Number.isFinite(value) ? value : FLOAT_PARSING;
};

// pydantic's lax booleans, in any case and never trimmed.
const BOOLEANS: Record<string, boolean> = {
  "1": true, on: true, t: true, true: true, y: true, yes: true,
  "0": false, off: false, f: false, false: false, n: false, no: false,
};
export const toBoolean: Coerce = (raw) => (Object.hasOwn(BOOLEANS, raw.toLowerCase()) ? BOOLEANS[raw.toLowerCase()] : BOOL_PARSING);

const asString: Coerce = (raw) => raw;

/** The converter for one JSON Schema node (`null` alternatives ignored: a URL carries no null). */
export function compileCoerce(node: JsonSchema | undefined, root: JsonSchema = node ?? {}): Coerce {
  if (node === undefined) return asString;
  node = withoutNull(node, root);
  // An enum's values decide, whatever their type: `{"type":"number","enum":[1,2]}` takes "1" and "2".
  const literals = node.enum ?? ("const" in node ? [node.const] : undefined);
  if (literals !== undefined) return literalCoerce(literals);
  const type = Array.isArray(node.type) ? undefined : node.type;
  switch (type) {
    case "integer":
      return toInteger;
    case "number":
      return toNumber;
    case "boolean":
      return toBoolean;
  }
  const branches = Array.isArray(node.type)
    ? node.type.map((t) => ({ type: t }))
    : (node.anyOf ?? node.oneOf);
  if (branches !== undefined) {
    return firstThatParses(branches.map((b) => [unionTag(b, root), compileCoerce(b, root)] as const));
  }
  return asString;
}

/** The JSON Schema of a list's items, when the node is a list; otherwise undefined. */
export function listItems(node: JsonSchema | undefined, root: JsonSchema = node ?? {}): JsonSchema | null | undefined {
  if (node === undefined) return undefined;
  const plain = withoutNull(node, root);
  if (plain.type !== "array") return undefined;
  return plain.items === undefined ? null : resolve(plain.items, root);
}

/**
 * The name pydantic gives a union member in an error's location: `int`, `float`, `bool`,
 * `str`, `list[int]`, a model's name, `literal['all']`.
 */
export function unionTag(node: JsonSchema, root: JsonSchema): string {
  if (typeof node.$ref === "string") return node.$ref.slice(node.$ref.lastIndexOf("/") + 1);
  node = resolve(node, root);
  switch (node.type) {
    case "integer":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    case "string":
      return node.enum === undefined && !("const" in node) ? "str" : literalTag(node);
    case "null":
      return "none";
    case "array":
      return `list[${node.items === undefined ? "any" : unionTag(node.items, root)}]`;
    case "object":
      return typeof node.title === "string" ? node.title : "dict";
  }
  return node.enum !== undefined || "const" in node ? literalTag(node) : "union";
}

function literalTag(node: JsonSchema): string {
  const values = node.enum ?? [node.const];
  return `literal[${values.map((v) => (typeof v === "string" ? `'${v}'` : String(v))).join(",")}]`;
}

// A string from a URL matches a string member exactly, and pydantic's smart unions take an
// exact match first: with a string member the text stays a string. Without one, the members
// are tried left to right, as in pydantic's lax pass, and when none takes the text every
// member's reason is reported.
function firstThatParses(members: readonly (readonly [string, Coerce])[]): Coerce {
  if (members.some(([, coerce]) => coerce === asString)) return asString;
  return (raw) => {
    let failures: [string, CoercionFailure][] | undefined;
    for (const [tag, member] of members) {
      const value = member(raw);
      if (!(value instanceof CoercionFailure)) return value;
      (failures ??= []).push([tag, value]);
    }
    return new UnionFailure(failures!);
  };
}

// Enums and literals of numbers or booleans are matched by their string form (a URL has no
// other), unlike FastAPI, whose `Literal[1]` refuses the text "1": in TypeScript a numeric
// enum and a literal look alike, and `?page=1` for `z.literal(1)` is what users mean.
function literalCoerce(literals: unknown[]): Coerce {
  const byText = new Map<string, unknown>();
  for (const literal of literals) byText.set(String(literal), literal);
  const failure = choiceFailure(literals);
  return (raw) => (byText.has(raw) ? byText.get(raw) : failure);
}

/** pydantic's error for a value outside an enum (all strings) or a set of literals. */
export function choiceFailure(values: readonly unknown[]): CoercionFailure {
  const { type, msg, ctx } = choiceError(values);
  return new CoercionFailure(type, msg, ctx);
}
