// Other JavaScript hosts (Bun, Deno, other Node versions) as child processes: where their
// binaries are, and an app served by one of them, read through its output and real HTTP.
// .ci/run installs the binaries from the npm registry and names them in SPRY_* variables.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

/** Upper bound on a host starting up or shutting down; Deno's first start compiles its cache. */
export const HOST_PATIENCE_MS = 60_000;

/** The variable naming each host's binary, as .ci/run exports it. */
export const HOST_VARIABLES = { bun: "SPRY_BUN", deno: "SPRY_DENO", node22: "SPRY_NODE22", node24: "SPRY_NODE24", node26: "SPRY_NODE26" } as const;

export type HostName = keyof typeof HOST_VARIABLES;

/**
 * The binary of `host`, or why there is none. In CI a missing binary is a failure (the test
 * calls `required`), never a skip: a matrix cell that silently did not run proves nothing.
 */
export function hostBinary(host: HostName): { path: string } | { missing: string } {
  const variable = HOST_VARIABLES[host];
  const path = process.env[variable];
  if (path !== undefined && path !== "" && existsSync(path)) return { path };
  // The Node running the tests is one of the matrix's versions itself.
  if (host === `node${process.versions.node.split(".")[0]}`) return { path: process.execPath };
  const why = path === undefined || path === "" ? `${variable} is not set` : `${variable}=${path} does not exist`;
  const name = host.startsWith("node") ? `Node ${host.slice(4)}` : host;
  return { missing: `${why}: \`bash .ci/run\` installs ${name} from the npm registry and sets it` };
}

/** For `test(name, { skip: skipUnless(binary) })`: skipped locally, never in CI (there it fails). */
export function skipUnless(binary: { path: string } | { missing: string }): string | false {
  if ("path" in binary) return false;
  return process.env.CI === "true" ? false : binary.missing;
}

/** The path of a host binary; throws (failing the test) when it is missing. */
export function required(binary: { path: string } | { missing: string }): string {
  if ("missing" in binary) throw new Error(binary.missing);
  return binary.path;
}

/** A host process serving an app: its origin once it listens, and everything it printed. */
export class HostProcess {
  readonly child: ChildProcess;
  output = "";
  readonly #exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    this.#exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Starts `command args` with `env` added to this process's environment. */
  static start(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): HostProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    return new HostProcess(child);
  }

  /** Resolves once `pattern` appears in the output; rejects, with the output, if the host exits or takes too long. */
  async waitFor(pattern: RegExp, ms = HOST_PATIENCE_MS): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match !== null) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the host exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The origin from the host's "Listening on http://HOST:PORT/" line (Deno prints it, the examples do on Bun). */
  async origin(): Promise<string> {
    const [, port] = await this.waitFor(/Listening on http:\/\/[^:\s]+:(\d+)/);
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves with how the process ended; kills it (and fails) if that takes too long. */
  async exited(ms = HOST_PATIENCE_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error(`the host did not exit within ${ms} ms:\n${this.output}`));
      }, ms);
    });
    try {
      return await Promise.race([this.#exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it is still running (a failed test's cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
