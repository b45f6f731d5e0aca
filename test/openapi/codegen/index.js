// openapi-typescript 7 builds its output with TypeScript's compiler API (ts.factory and the
// printer), which only TypeScript 5 has: the project's TypeScript 7 ships a native compiler
// with no such API. Its peer dependency on typescript@^5 can't sit beside the project's
// typescript@7 in the root node_modules, so this local package, a devDependency of spry
// (`file:test/openapi/codegen`), gets its own copy in its own node_modules. The generated
// types are then checked with the project's own tsc.
import openapiTS, { astToString } from "openapi-typescript";

/** The TypeScript declarations openapi-typescript makes of an OpenAPI document. */
export async function generateTypes(document, options = {}) {
  return astToString(await openapiTS(document, options));
}
