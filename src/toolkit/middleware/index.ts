/**
 * spry's built-in middleware, each a factory returning a Middleware for `app.use()`:
 * `import { cors, compress } from "spry/middleware"`.
 */
export { cors, type CorsOptions } from "./cors.ts";
export { compress, type CompressOptions, type Encoding } from "./compress.ts";
export { trustedHost, type TrustedHostOptions } from "./trusted-host.ts";
export { httpsRedirect, type HttpsRedirectOptions } from "./https-redirect.ts";
