// Preloaded (node --import) by the tests of what spry does where tsx is not installed: tsx is a
// devDependency of this repository, so its resolution is made to fail as Node's does for a
// package that is absent.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "tsx" || specifier.startsWith("tsx/")) {
      const error = new Error(`Cannot find package 'tsx' imported from ${context.parentURL}`);
      error.code = "ERR_MODULE_NOT_FOUND";
      throw error;
    }
    return nextResolve(specifier, context);
  },
});
