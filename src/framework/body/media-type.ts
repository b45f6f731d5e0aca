import { HTTPException } from "../../common/http-exception.ts";

const ESSENCE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const PARAMETER = /^\s*([a-z0-9!#$&^_.+-]+)=("(?:[^"\\]|\\.)*"|[^\s;"]*)\s*$/i;
/** Real content types carry one or two parameters (charset, boundary); more is an attack. */
const MAX_PARAMETERS = 8;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export interface MediaType {
  /** Lower-cased, without parameters: "application/json". */
  readonly essence: string;
  /** Parameter names lower-cased, values unquoted; a null-prototype object. */
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * Parses a Content-Type header, refusing with 415 what no client sends by mistake: a malformed
 * type, more than a few parameters, or a parameter named `__proto__` or `constructor`
 * (docs/reliability.md row 12). The work is bounded by the parameter cap, whatever the header's size.
 */
export function parseMediaType(contentType: string): MediaType {
  const parts = contentType.split(";", MAX_PARAMETERS + 2);
  const essence = parts[0]!.trim().toLowerCase();
  if (!ESSENCE.test(essence)) throw malformed(contentType);
  const parameters: Record<string, string> = Object.create(null);
  if (parts.length > MAX_PARAMETERS + 1) throw malformed(contentType);
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.trim() === "") continue;
    const match = PARAMETER.exec(parts[i]!);
    if (match === null) throw malformed(contentType);
    const name = match[1]!.toLowerCase();
    if (FORBIDDEN.has(name)) throw malformed(contentType);
    const value = match[2]!;
    parameters[name] = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
  }
  return { essence, parameters };
}

/**
 * JSON is read only from `application/json` and `*\/*+json` media types, never from text/plain:
 * a browser sends text/plain across origins without a preflight (FastAPI's CVE-2021-32677).
 * JSON is UTF-8 (RFC 8259), so another charset is refused too.
 */
export function isJson(type: MediaType): boolean {
  const json = type.essence === "application/json" || type.essence.endsWith("+json");
  const charset = type.parameters.charset?.toLowerCase();
  return json && (charset === undefined || charset === "utf-8" || charset === "utf8");
}

function malformed(contentType: string): HTTPException {
  return new HTTPException(415, `Malformed Content-Type: ${JSON.stringify(contentType.slice(0, 100))}`);
}

/** 415 for a body whose media type the route does not take. */
export function unsupported(contentType: string, expected: string): HTTPException {
  return new HTTPException(415, `Unsupported Media Type: expected ${expected}, got ${JSON.stringify(contentType.slice(0, 100))}`);
}
