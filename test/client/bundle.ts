// Bundles a module for the browser with esbuild, as a user's bundler would: what it holds
// (source files, relative to the repository) and its code.
import { build } from "esbuild";

const root = new URL("../..", import.meta.url).pathname;

/** `conditions: ["spry-source"]` bundles spry's sources, as the repository's tests load them; none, the published dist/. */
export async function bundle(entry: string, conditions: readonly string[] = []): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    conditions: [...conditions],
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs).filter((file) => file !== "<stdin>").sort() };
}
