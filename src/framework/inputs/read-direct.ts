import type { Context } from "../context.ts";
import { GeneratedFunctions } from "../body/generated-functions.ts";
import { cookieValue } from "../../toolkit/cookie-value.ts";
import { MISS, type Accept } from "./accept.ts";
import { CoercionFailure } from "./coerce.ts";
import type { InputSpec } from "./spec.ts";

/** The owners' values of one request, or MISS: then the general reader (read.ts) reads it all again. */
export type ReadDirect = (ctx: Context) => Record<string, unknown>[] | typeof MISS;

/** One input the direct reader may take: its spec, and its schema compiled by accept.ts. */
export interface DirectInput {
  readonly spec: InputSpec;
  readonly accept: Accept | undefined;
}

/**
 * For a route without a body whose every input is a single path, query, header or cookie value
 * with a compiled schema (accept.ts), a reader generated for the route: each input read, converted
 * and accepted in a straight line, and the owners' objects made as literals, as read.ts's
 * compileValues makes them. Its call sites are the route's own, so each conversion and check is
 * called at a site that only ever sees that one (in read.ts's loop every route's inputs share
 * them). Anything it does not take for certain (a conversion or a check that fails, a value the
 * check leaves to its schema) answers MISS, and the general reader reads the request from the
 * start: conversions and compiled checks are pure, so reading twice changes nothing but the cost,
 * and every error is the general reader's. test/framework/read-direct.test.ts compares the two.
 * Undefined when the route's inputs do not all qualify or code cannot be generated.
 */
export function compileDirectReader(inputs: readonly DirectInput[], owners: number): ReadDirect | undefined {
  if (inputs.length === 0) return undefined;
  const constants: unknown[] = [MISS, CoercionFailure, cookieValue];
  const lines: string[] = [];
  const keys: string[][] = Array.from({ length: owners }, () => []);
  let query = false;
  let cookies = false;
  for (let i = 0; i < inputs.length; i++) {
    const { spec, accept } = inputs[i]!;
    if (accept === undefined || spec.list || spec.model !== undefined || spec.name === "__proto__") return undefined;
    const key = JSON.stringify(spec.key);
    let raw: string;
    switch (spec.location) {
      case "path":
        raw = `ctx.params[${key}]`;
        break;
      case "query":
        query = true;
        raw = `q[${key}]`;
        break;
      case "header":
        raw = `ctx.header(${key})`;
        break;
      case "cookie":
        cookies = true;
        raw = `k[2](c, ${key})`;
        break;
      default:
        return undefined;
    }
    const coerce = constants.push(spec.coerce) - 1;
    const check = constants.push(accept) - 1;
    lines.push(
      `let r${i} = ${raw};`,
      // A key given more than once: its last value, as read.ts's convert() takes it.
      ...(spec.location === "query" ? [`if (r${i} !== undefined && typeof r${i} !== "string") r${i} = r${i}[r${i}.length - 1];`] : []),
      `const t${i} = r${i} === undefined ? undefined : k[${coerce}](r${i});`,
      `if (t${i} instanceof k[1]) return k[0];`,
      `const x${i} = k[${check}](t${i});`,
      `if (x${i} === k[0]) return k[0];`,
    );
    keys[spec.owner]!.push(`${JSON.stringify(spec.name)}: x${i}`);
  }
  const head = [...(query ? ["const q = ctx.query;"] : []), ...(cookies ? [`const c = ctx.header("cookie");`] : [])];
  const source = new GeneratedFunctions("ctx");
  const entry = source.add([...head, ...lines, `return [${keys.map((fields) => `{ ${fields.join(", ")} }`).join(", ")}];`].join("\n"));
  return source.compile<ReadDirect>(entry, constants);
}
