#!/usr/bin/env node
// The spry command. tsx is registered first so that the user's .ts files load without a build step.
// Both hooks are needed: a file outside any "type": "module" package is loaded as CommonJS, and
// with only the ESM hook Node 20 fails on its `import`/`export` (ERR_REQUIRE_CYCLE_MODULE).
import { register as registerCjs } from "tsx/cjs/api";
import { register as registerEsm } from "tsx/esm/api";

registerCjs();
registerEsm();
const { main } = await import("../src/server/cli.ts");
const code = await main(process.argv.slice(2));
// Exit now rather than when the event loop empties: an app module that failed to load may have
// left timers or sockets open. undefined: a server is up, and its signal handlers end the process.
if (code !== undefined) process.exit(code);
