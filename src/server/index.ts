/** spry's server layer: node:http with safe limits, graceful shutdown, and the CLI. */
export { serve, type ServeOptions, type Running, type Servable } from "./serve.ts";
export { defaultServerLimits, type ServerLimits } from "./options.ts";
export { loadApp } from "./load-app.ts";
