// Bundles a module for the browser with esbuild, as a user's bundler would: what it holds
// (source files, relative to the repository) and its code.
import { build } from "esbuild";

const root = new URL("../..", import.meta.url).pathname;

export async function bundle(entry: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs).filter((file) => file !== "<stdin>").sort() };
}
