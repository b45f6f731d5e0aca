import cluster from "node:cluster";
import { requestScopes } from "../common/request-facts.ts";

/** Node 22's switch for AsyncContextFrame, the AsyncLocalStorage that Node 24 has by default. */
const FLAG = "--experimental-async-context-frame";

/**
 * Whether this Node needs FLAG for cheap request scopes: Node 22 without it, unless the
 * operator switched it off. Without it Node 22's AsyncLocalStorage runs on async hooks, which
 * slow every promise of the process once entered, so spry enters no request scope there
 * (common/request-facts.ts) and the app's lines lose the request id.
 */
function needsFlag(): boolean {
  const versions = process.versions as { node?: string; bun?: string };
  if (requestScopes || versions.bun !== undefined || "Deno" in globalThis) return false;
  if (Number(versions.node?.split(".")[0]) !== 22) return false;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return !flags.includes(`--no-${FLAG.slice(2)}`);
}

/** The flags a Node process serving the app should start with: FLAG on Node 22, else none. */
export function contextFrameFlags(): string[] {
  return needsFlag() ? [FLAG] : [];
}

/**
 * On Node 22, replaces this process (same pid, arguments, environment and standard streams)
 * with one started with FLAG, so that `spry run` puts the request id on every line a request
 * produces, as on Node 24. Done first thing, before anything is open: only the standard
 * streams survive the exchange, so a process with an IPC channel (a cluster worker, which
 * inherits the flag from its primary anyway, or a dev child) is left as it is.
 */
export function reexecWithContextFrame(): void {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (!needsFlag() || execve === undefined || process.channel !== undefined || cluster.isWorker) return;
  try {
    execve(process.execPath, [process.execPath, FLAG, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch {
    // The exchange failed and this process runs on unchanged: without request scopes, as before.
  }
}
