import { swaggerAssets, redocAssets, swaggerPage, redocPage, type Asset } from "./docs-pages.ts";

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
  get(path: string, handler: () => Response | Promise<Response>, options: typeof HIDDEN): unknown;
  /** The OpenAPI document as JSON text. */
  openapiJson(): string;
}

/** Adds the OpenAPI document and the two docs pages to an app, as FastAPI's setup() does. */
export function registerDocs(app: DocsHost, options: DocsOptions, title: string, rootPath = ""): void {
  const openapiUrl = options.openapiUrl ?? "/openapi.json";
  if (openapiUrl === false) return;
  app.get(openapiUrl, () => new Response(app.openapiJson(), { headers: { "content-type": "application/json" } }), HIDDEN);
  const docsUrl = options.docsUrl ?? "/docs";
  if (docsUrl !== false) {
    // The pages are read through the proxy, so what they load carries its prefix.
    const page = swaggerPage(title, rootPath + openapiUrl, rootPath + docsUrl);
    app.get(docsUrl, () => new Response(page, { headers: HTML }), HIDDEN);
    serveAssets(app, docsUrl, swaggerAssets);
  }
  const redocUrl = options.redocUrl ?? "/redoc";
  if (redocUrl !== false) {
    const page = redocPage(title, rootPath + openapiUrl, rootPath + redocUrl);
    app.get(redocUrl, () => new Response(page, { headers: HTML }), HIDDEN);
    serveAssets(app, redocUrl, redocAssets);
  }
}

function serveAssets(app: DocsHost, base: string, assets: Record<string, Asset>): void {
  for (const [name, asset] of Object.entries(assets)) {
    app.get(`${base}/${name}`, async () => new Response(await asset.load() as BodyInit, {
      // The files change only when the package does; a day of caching spares reloading 1.5 MB.
      headers: { "content-type": asset.contentType, "cache-control": "public, max-age=86400" },
    }), HIDDEN);
  }
}
