import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// spry's own frames: its sources, and its build, whose frames name the sources when Node
// applies the source maps (--enable-source-maps).
const OWN_FILES = [fileURLToPath(new URL("../../../src/", import.meta.url)), fileURLToPath(new URL("../../../dist/", import.meta.url))];
const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/;

/**
 * The JSDoc comment written just above a route's declaration, as its OpenAPI summary (first
 * paragraph) and description (the rest): TypeScript's docstring. Comments do not survive into
 * the running code, so the declaration's site is taken from the stack captured when the route
 * was declared (Node's type stripping keeps lines and columns, tsx maps them back), and the
 * comment is read from the file, once, when the OpenAPI document is first built.
 */
export function docComment(site: Error | undefined, files: Map<string, string[] | null>): { summary?: string; description?: string } {
  const frame = site?.stack?.split("\n").slice(1).map((line) => FRAME.exec(line.trim())).find((m) => m !== null && !ownFrame(m[1]!));
  if (frame === undefined || frame === null) return {};
  const file = frame[1]!.startsWith("file://") ? fileURLToPath(frame[1]!) : frame[1]!;
  const lines = linesOf(file, files);
  if (lines === null) return {};
  return parse(lines, Number(frame[2]) - 1);
}

function ownFrame(path: string): boolean {
  const file = path.startsWith("file://") ? fileURLToPath(path) : path;
  return OWN_FILES.some((own) => file.startsWith(own)) || file.includes("/node_modules/") || file.startsWith("node:");
}

function linesOf(file: string, files: Map<string, string[] | null>): string[] | null {
  if (!files.has(file)) {
    try {
      files.set(file, readFileSync(file, "utf8").split("\n"));
    } catch {
      files.set(file, null);
    }
  }
  return files.get(file)!;
}

function parse(lines: string[], callLine: number): { summary?: string; description?: string } {
  let end = callLine - 1;
  if (end < 0 || !lines[end]!.trim().endsWith("*/")) return {};
  let start = end;
  while (start >= 0 && !lines[start]!.trim().startsWith("/**")) start--;
  if (start < 0) return {};
  const text = lines
    .slice(start, end + 1)
    .map((line) => line.trim().replace(/^\/\*\*\s?/, "").replace(/\s*\*\/$/, "").replace(/^\*\s?/, ""))
    .join("\n")
    .trim();
  if (text === "") return {};
  const [first, ...rest] = text.split(/\n\s*\n/);
  const summary = first!.replace(/\s*\n\s*/g, " ").trim();
  const description = rest.join("\n\n").trim();
  return description === "" ? { summary } : { summary, description };
}
