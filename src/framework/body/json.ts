import secureJson from "secure-json-parse";
import { HTTPException } from "../../common/http-exception.ts";
import { RequestValidationError } from "../validation-error.ts";
import { findJsonError } from "./json-error.ts";

/** JSON nesting deeper than this is refused with 400 (docs/reliability.md row 10). */
export const MAX_JSON_DEPTH = 128;

/**
 * Parses a JSON request body: invalid JSON is FastAPI's 422 `json_invalid` with the position;
 * nesting past the cap is 400 before any parsing; `__proto__` and `constructor.prototype`
 * keys are 400 (secure-json-parse, Fastify's), so Object.prototype is never reached.
 */
export function parseJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  // openers() is a shortcut: it only saves the scan.
  if (openers(text, maxDepth) > maxDepth && deeperThan(text, maxDepth)) {
    throw new HTTPException(400, `JSON body is nested deeper than ${maxDepth} levels`);
  }
  try {
    // secure-json-parse refuses both keys with this SyntaxError unless told to drop them.
    return secureJson.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError && error.message === "Object contains forbidden prototype property") {
      throw new HTTPException(400, "JSON body contains a forbidden key (__proto__ or constructor.prototype)");
    }
    const { position, message } = findJsonError(text);
    throw new RequestValidationError([
      { type: "json_invalid", loc: ["body", position], msg: "JSON decode error", input: {}, ctx: { error: message } },
    ]);
  }
}

// How many `{` and `[` the text holds, counting no further than past the cap: a text with no
// more than `cap` of them cannot nest deeper, and indexOf finds them far faster than a scan of
// every character in JavaScript does (most bodies hold a few).
// (Two loops rather than one over ["{", "["]: that array literal was allocated per body.)
function openers(text: string, cap: number): number {
  let count = 0;
  for (let i = text.indexOf("{"); i !== -1; i = text.indexOf("{", i + 1)) if (++count > cap) return count;
  for (let i = text.indexOf("["); i !== -1; i = text.indexOf("[", i + 1)) if (++count > cap) return count;
  return count;
}

// Follows bracket depth outside strings and stops as soon as the cap is passed, so a 200 KB
// body nested 100,000 deep costs a short scan instead of a full parse.
function deeperThan(text: string, cap: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > cap) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return false;
}
