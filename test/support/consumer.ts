// A consumer's project, as a user gets one: spry's tarball (`npm pack` of the built package)
// installed by npm into a fresh directory with zod, @types/node and @tsconfig/strictest from the
// registry, and no tsx. Packed and installed once per content of what ships, in the temporary
// directory, and shared by every test file of test/package/ (a lock keeps two processes from
// building it at once); each case then works in a fresh directory inside that project.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** The consumer's own files: copied into each case's directory. */
export const FIXTURES = join(REPO, "test/package/consumer");

/** What the consumer installs besides spry; the compilers live apart, in TOOLS. */
const CONSUMER_DEPENDENCIES = ["zod@^4.2.0", "@types/node@latest", "@tsconfig/strictest@latest"];
/** The two TypeScript lines a consumer may have, side by side under aliases. */
export const COMPILERS = { "TypeScript 7": "ts7", "TypeScript 5.9": "ts59" } as const;
const TOOL_DEPENDENCIES = ["ts7@npm:typescript@^7", "ts59@npm:typescript@~5.9"];

const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

// The registry can list a version (a `latest` that just moved) before it serves it, or drop a
// connection: such a failure is tried again twice, asking the registry afresh, before it counts.
const TRANSIENT = /ETARGET|ECONNRESET|ETIMEDOUT|EAI_AGAIN|E50\d|E429/;

function npm(args: readonly string[], cwd: string): string {
  for (let attempt = 1; ; attempt++) {
    const flags = attempt === 1 ? args : args.map((arg) => (arg === "--prefer-offline" ? "--prefer-online" : arg));
    const result = spawnSync("npm", flags, { cwd, encoding: "utf8", env: { ...process.env, SCARF_ANALYTICS: "false" } });
    if (result.status === 0) return result.stdout;
    const output = `${result.stdout}${result.stderr}`;
    if (attempt >= 3 || !TRANSIENT.test(output)) throw new Error(`npm ${flags.join(" ")} failed in ${cwd}:\n${output}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5_000 * attempt);
  }
}

/** What ships, hashed: dist/, bin/, the package files. A change to any of them packs anew. */
function shippedHash(): string {
  const hash = createHash("sha256");
  const add = (path: string): void => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) add(join(path, entry));
    else hash.update(path.slice(REPO.length)).update(readFileSync(path));
  };
  if (!existsSync(join(REPO, "dist"))) throw new Error("dist/ is missing: `npm run build` first (npm test and scripts/test.mjs build it)");
  for (const part of ["dist", "bin", "package.json", "README.md", "LICENSE"]) if (existsSync(join(REPO, part))) add(join(REPO, part));
  hash.update(CONSUMER_DEPENDENCIES.join(" ")).update(TOOL_DEPENDENCIES.join(" "));
  return hash.digest("hex").slice(0, 16);
}

async function locked<T>(lock: string, build: () => T): Promise<void> {
  for (const deadline = Date.now() + 300_000; ; ) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held for over 5 minutes: remove it if no test is running`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Consumer {
  /** The installed project: package.json and node_modules with spry from the tarball. */
  readonly project: string;
  readonly tarball: string;
  /** Where the compilers are: `${tools}/node_modules/ts7` and `.../ts59`. */
  readonly tools: string;
  /** Whether this process packed and installed it (false: a previous run's install, reused). */
  readonly built: boolean;
  /** Milliseconds this process spent getting it (hashing what ships, and packing and installing if built). */
  readonly setupMs: number;
}

let consumer: Promise<Consumer> | undefined;

/** The shared consumer project, packed and installed on first use. */
export function installedConsumer(): Promise<Consumer> {
  return (consumer ??= (async () => {
    const started = Date.now();
    const base = join(tmpdir(), "spry-consumer", shippedHash());
    const project = join(base, "project");
    const tools = join(base, "tools");
    const done = join(base, "installed");
    mkdirSync(base, { recursive: true });
    let built = false;
    if (!existsSync(done)) {
      await locked(join(base, "lock"), () => {
        if (existsSync(done)) return;
        rmSync(project, { recursive: true, force: true });
        rmSync(tools, { recursive: true, force: true });
        mkdirSync(project);
        mkdirSync(tools);
        // dist/ was just built by the test script: pack it as it is, without building again.
        const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", base], REPO)) as { filename: string }[];
        const tarball = join(base, packed!.filename);
        writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
        writeFileSync(join(tools, "package.json"), JSON.stringify({ name: "tools", private: true }, null, 2));
        npm(["install", ...NPM_FLAGS, tarball, ...CONSUMER_DEPENDENCIES], project);
        npm(["install", ...NPM_FLAGS, ...TOOL_DEPENDENCIES], tools);
        writeFileSync(done, tarball);
        built = true;
      });
    }
    return { project, tools, tarball: readFileSync(done, "utf8"), built, setupMs: Date.now() - started };
  })());
}

/** A fresh directory inside the consumer project, holding copies of the named fixture files. */
export function caseDirectory(consumer: Consumer, name: string, files: readonly string[]): string {
  const runs = join(consumer.project, "cases");
  mkdirSync(runs, { recursive: true });
  const dir = mkdtempSync(join(runs, `${name.replace(/\W+/g, "-")}-`));
  for (const file of files) cpSync(join(FIXTURES, file), join(dir, file));
  return dir;
}

/** The compiler of one TypeScript line, run by the given node. */
export function tscOf(consumer: Consumer, alias: (typeof COMPILERS)[keyof typeof COMPILERS]): string {
  return join(consumer.tools, "node_modules", alias, "bin", "tsc");
}

/** The version a package in the consumer (or the tools) has. */
export function installedVersion(root: string, name: string): string {
  return (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}
