#!/usr/bin/env node
// The spry command. The CLI comes through the package's #cli import: the built dist/ when
// installed, spry's own sources under the "spry-source" condition (the repository's tests).
// The user's .ts files load through Node's own type stripping, or tsx (an optional peer) where
// that cannot serve: see src/common/import-file.mjs.
const { main } = await import("#cli");
const code = await main(process.argv.slice(2));
// Exit now rather than when the event loop empties: an app module that failed to load may have
// left timers or sockets open. undefined: a server is up, and its signal handlers end the process.
if (code !== undefined) process.exit(code);
