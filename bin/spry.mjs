#!/usr/bin/env node
// The spry command. tsx is registered first so that the user's .ts files load without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/server/cli.ts");
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
