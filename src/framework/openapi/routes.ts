import { precompressed } from "./asset-response.ts";
import { jsonText, type ResponseLike } from "../../toolkit/response.ts";
import { swaggerAssets, redocAssets, swaggerPage, redocPage, redocMissingPage, type Asset } from "./docs-pages.ts";

export interface DocsOptions {
  /** Where the OpenAPI document is served (default "/openapi.json"); false turns it and both pages off. */
  openapiUrl?: string | false;
  /** Swagger UI (default "/docs"); false turns it off. */
  docsUrl?: string | false;
  /** ReDoc (default "/redoc"); false turns it off. */
  redocUrl?: string | false;
}

const HIDDEN = { includeInSchema: false } as const;
const HTML = { "content-type": "text/html; charset=utf-8" };

/** Where the docs routes are added: the app, seen only as far as these routes need it. */
export interface DocsHost {
  get(path: string, handler: (inputs: {}, ctx: { readonly rootPath: string; header(name: string): string | undefined }) => ResponseLike | Promise<ResponseLike>, options: typeof HIDDEN): unknown;
  /** The OpenAPI document as JSON text, for the app served under `rootPath`. */
  openapiJson(rootPath: string): string;
}

/**
 * Adds the OpenAPI document and the two docs pages to an app, as FastAPI's setup() does.
 * `redoc` is where ReDoc's bundle comes from (the optional `redoc` package; tests pass another).
 */
export function registerDocs(app: DocsHost, options: DocsOptions, title: string, rootPath = "", redoc: Record<string, Asset> = redocAssets): void {
  const openapiUrl = options.openapiUrl ?? "/openapi.json";
  if (openapiUrl === false) return;
  app.get(openapiUrl, (_, ctx) => jsonText(200, app.openapiJson(ctx.rootPath)), HIDDEN);
  const docsUrl = options.docsUrl ?? "/docs";
  if (docsUrl !== false) {
    // The pages are read through the proxy (or the mount), so what they load carries its prefix.
    const page = perRootPath((root) => swaggerPage(title, root + openapiUrl, root + docsUrl));
    app.get(docsUrl, (_, ctx) => new Response(page(ctx.rootPath || rootPath), { headers: HTML }), HIDDEN);
    serveAssets(app, docsUrl, swaggerAssets);
  }
  const redocUrl = options.redocUrl ?? "/redoc";
  if (redocUrl !== false) {
    const page = perRootPath((root) => redocPage(title, root + openapiUrl, root + redocUrl));
    const missing = perRootPath((root) => redocMissingPage(title, root + openapiUrl));
    const bundle = redoc["redoc.standalone.js"]!;
    // Without the optional package the page would stay blank; it says what to install instead.
    app.get(redocUrl, (_, ctx) => new Response((bundle.available() ? page : missing)(ctx.rootPath || rootPath), { headers: HTML }), HIDDEN);
    serveAssets(app, redocUrl, redoc);
  }
}

// An app is mounted at few root paths (usually none): each page is built once per root path.
function perRootPath(build: (root: string) => string): (root: string) => string {
  const pages = new Map<string, string>();
  return (root) => {
    let page = pages.get(root);
    if (page === undefined) pages.set(root, (page = build(root)));
    return page;
  };
}

function serveAssets(app: DocsHost, base: string, assets: Record<string, Asset>): void {
  for (const [name, asset] of Object.entries(assets)) {
    const respond = precompressed(asset);
    app.get(`${base}/${name}`, (_inputs, request) => respond(request.header("accept-encoding")), HIDDEN);
  }
}
