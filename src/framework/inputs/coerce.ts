import { resolve, withoutNull, type JsonSchema } from "./json-schema.ts";

/** Why a string could not be converted, named as pydantic names it. */
export class CoercionFailure {
  readonly type: string;
  readonly msg: string;
  constructor(type: string, msg: string) {
    this.type = type;
    this.msg = msg;
  }
}

/** Converts one string from a URL, header or cookie to the type its schema declares. */
export type Coerce = (raw: string) => unknown;

const INT_PARSING = new CoercionFailure("int_parsing", "Input should be a valid integer, unable to parse string as an integer");
const INT_SIZE = new CoercionFailure("int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size");
const FLOAT_PARSING = new CoercionFailure("float_parsing", "Input should be a valid number, unable to parse string as a number");
const BOOL_PARSING = new CoercionFailure("bool_parsing", "Input should be a valid boolean, unable to interpret input");

const INTEGER = /^\s*[+-]?\d+\s*$/;
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

// An integer past 2^53 cannot be represented exactly as a JS number: refusing it beats
// answering with a silently rounded value (docs/reliability.md row 13).
const toInteger: Coerce = (raw) => {
  if (!INTEGER.test(raw)) return INT_PARSING;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : INT_SIZE;
};

const toNumber: Coerce = (raw) => {
  if (!DECIMAL.test(raw)) return FLOAT_PARSING;
  const value = Number(raw);
  return Number.isFinite(value) ? value : FLOAT_PARSING;
};

// pydantic's lax booleans, which FastAPI accepts in query strings.
const BOOLEANS: Record<string, boolean> = {
  "1": true, on: true, t: true, true: true, y: true, yes: true,
  "0": false, off: false, f: false, false: false, n: false, no: false,
};
const toBoolean: Coerce = (raw) => BOOLEANS[raw.toLowerCase()] ?? BOOL_PARSING;

const asString: Coerce = (raw) => raw;

/** The converter for one JSON Schema node (`null` alternatives ignored: a URL carries no null). */
export function compileCoerce(node: JsonSchema | undefined, root: JsonSchema | undefined = node): Coerce {
  if (node === undefined || root === undefined) return asString;
  node = withoutNull(node, root);
  const type = Array.isArray(node.type) ? undefined : node.type;
  switch (type) {
    case "integer":
      return toInteger;
    case "number":
      return toNumber;
    case "boolean":
      return toBoolean;
    case "string":
      return asString;
  }
  const branches = Array.isArray(node.type)
    ? node.type.map((t) => ({ type: t }))
    : (node.anyOf ?? node.oneOf);
  if (branches !== undefined) return firstThatParses(branches.map((b) => compileCoerce(b, root)));
  const literals = node.enum ?? ("const" in node ? [node.const] : undefined);
  if (literals !== undefined) return literalCoerce(literals);
  return asString;
}

/** The JSON Schema of a list's items, when the node is a list; otherwise undefined. */
export function listItems(node: JsonSchema | undefined, root: JsonSchema | undefined = node): JsonSchema | null | undefined {
  if (node === undefined || root === undefined) return undefined;
  const plain = withoutNull(node, root);
  if (plain.type !== "array") return undefined;
  return plain.items === undefined ? null : resolve(plain.items, root);
}

// Unions try each member in declared order, as pydantic's left-to-right mode does;
// when none parses, the first member's reason is reported.
function firstThatParses(members: Coerce[]): Coerce {
  if (members.includes(asString)) {
    // A string member accepts anything, so a value that parses as an earlier member keeps
    // that type and everything else stays a string.
    const before = members.slice(0, members.indexOf(asString));
    if (before.length === 0) return asString;
    return (raw) => {
      for (const member of before) {
        const value = member(raw);
        if (!(value instanceof CoercionFailure)) return value;
      }
      return raw;
    };
  }
  return (raw) => {
    let first: unknown;
    for (const member of members) {
      const value = member(raw);
      if (!(value instanceof CoercionFailure)) return value;
      first ??= value;
    }
    return first;
  };
}

// Enums and literals of numbers or booleans are matched by their string form; the schema
// itself then reports a value outside the set.
function literalCoerce(literals: unknown[]): Coerce {
  const byText = new Map<string, unknown>();
  for (const literal of literals) byText.set(String(literal), literal);
  return (raw) => (byText.has(raw) ? byText.get(raw) : raw);
}
