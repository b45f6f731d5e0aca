#!/usr/bin/env node
// The spry command. The CLI comes through the package's #cli import: the built dist/ when
// installed, spry's own sources under the "spry-source" condition (the repository's tests).
// tsx (an optional peer), when installed, is registered first so that the user's .ts files load
// without a build step; without it Node's own type stripping loads them.
// Both hooks are needed: a file outside any "type": "module" package is loaded as CommonJS, and
// with only the ESM hook Node fails on its `import`/`export` (ERR_REQUIRE_CYCLE_MODULE).
const tsx = await Promise.all([import("tsx/cjs/api"), import("tsx/esm/api")]).catch(() => undefined);
if (tsx !== undefined) {
  tsx[0].register();
  tsx[1].register();
}
const { main } = await import("#cli");
const code = await main(process.argv.slice(2));
// Exit now rather than when the event loop empties: an app module that failed to load may have
// left timers or sockets open. undefined: a server is up, and its signal handlers end the process.
if (code !== undefined) process.exit(code);
