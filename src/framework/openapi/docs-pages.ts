import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HTTPException } from "../../common/http-exception.ts";

const require = createRequire(import.meta.url);

/** A file shipped inside an installed package, read once and kept. */
export interface Asset {
  readonly contentType: string;
  /** Whether its package is installed. */
  available(): boolean;
  load(): Promise<Uint8Array>;
}

// Swagger UI's files ship inside spry's build (scripts/build.mjs copies them from
// swagger-ui-dist, a devDependency): swagger-ui-dist's own install script sends telemetry, and
// only three of its files are served. spry's sources, run in its repository, read the package.
const BUNDLED = fileURLToPath(new URL("../../assets/", import.meta.url));

function packageAsset(pkg: string, file: string, contentType: string, missing: string, patch?: (text: string) => string): Asset {
  let loaded: Promise<Uint8Array> | undefined;
  let installed = false;
  return {
    contentType,
    // Asked again until the package is found: installing it needs no restart of this check.
    available() {
      if (installed) return true;
      try {
        require.resolve(`${pkg}/package.json`);
        return (installed = true);
      } catch {
        return false;
      }
    },
    load() {
      return (loaded ??= (async () => {
        let root: string;
        try {
          root = existsSync(join(BUNDLED, pkg, file)) ? join(BUNDLED, pkg) : dirname(require.resolve(`${pkg}/package.json`));
        } catch {
          loaded = undefined;
          throw new HTTPException(404, missing);
        }
        const bytes = await readFile(join(root, file));
        return patch === undefined ? bytes : Buffer.from(patch(bytes.toString("utf8")), "utf8");
      })());
    },
  };
}

// ReDoc 2 always draws Redocly's logo beside its "API docs by Redocly" link, from their CDN,
// with no option to turn it off: every view of /redoc would reach a third party (or, offline,
// fail with a console error). A `data:` URL that is no image makes the <img> fail without any
// request, and ReDoc then drops it, leaving the link's text. If a later ReDoc changes the
// string this does nothing, and test/openapi/browser.test.ts, which fails on any request that
// leaves the app's origin, says so.
const REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
function withoutRedoclyLogo(bundle: string): string {
  return bundle.replaceAll(JSON.stringify(REDOCLY_LOGO), JSON.stringify("data:,"));
}

/** Swagger UI's files, from swagger-ui-dist (bundled with spry), never from a CDN. */
export const swaggerAssets: Record<string, Asset> = {
  "swagger-ui-bundle.js": packageAsset("swagger-ui-dist", "swagger-ui-bundle.js", "text/javascript; charset=utf-8", "swagger-ui-dist is not installed"),
  "swagger-ui.css": packageAsset("swagger-ui-dist", "swagger-ui.css", "text/css; charset=utf-8", "swagger-ui-dist is not installed"),
  "oauth2-redirect.html": packageAsset("swagger-ui-dist", "oauth2-redirect.html", "text/html; charset=utf-8", "swagger-ui-dist is not installed"),
};

/** ReDoc's standalone bundle, from the redoc package: an optional peer, `npm i redoc`. */
export const redocAssets: Record<string, Asset> = {
  "redoc.standalone.js": packageAsset("redoc", "bundles/redoc.standalone.js", "text/javascript; charset=utf-8", "ReDoc is not installed: npm i redoc", withoutRedoclyLogo),
};

/** The Swagger UI page, loading its files from beside it. */
export function swaggerPage(title: string, openapiUrl: string, docsUrl: string): string {
  return htmlPage(`${title} - Swagger UI`, `<link rel="stylesheet" href="${docsUrl}/swagger-ui.css">`, `<div id="swagger-ui"></div>
<script src="${docsUrl}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: ${scriptString(openapiUrl)},
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  oauth2RedirectUrl: window.location.origin + ${scriptString(`${docsUrl}/oauth2-redirect.html`)},
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
</script>`);
}

/** The ReDoc page. */
export function redocPage(title: string, openapiUrl: string, redocUrl: string): string {
  return htmlPage(`${title} - ReDoc`, "<style>body { margin: 0; padding: 0; }</style>", `<redoc spec-url="${escapeHtml(openapiUrl)}"></redoc>
<script src="${redocUrl}/redoc.standalone.js"></script>`);
}

/** What /redoc shows when the optional `redoc` package is not installed: how to install it. */
export function redocMissingPage(title: string, openapiUrl: string): string {
  const style = "<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em; } code { background: #eee; padding: 0.1em 0.3em; }</style>";
  return htmlPage(`${title} - ReDoc`, style, `<h1>ReDoc is not installed</h1>
<p>This page needs the optional <code>redoc</code> package. Install it in the app's project and restart the app:</p>
<pre><code>npm install redoc</code></pre>
<p>Meanwhile the OpenAPI document is at <a href="${escapeHtml(openapiUrl)}">${escapeHtml(openapiUrl)}</a>.</p>`);
}

/** The frame the three pages share; `head` and `body` are markup, `title` is text. */
function htmlPage(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A JSON string literal is a JS string literal; "<" is escaped so no "</script>" can close the tag.
function scriptString(text: string): string {
  return JSON.stringify(text).replace(/</g, "\\u003c");
}
