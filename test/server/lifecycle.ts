// Helpers for the tests that serve test/server/lifecycle-app.ts (shutdown and workers): its
// requests, its JSON log lines, and the file that releases its held requests.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, type Agent, type IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpryProcess } from "./spry-process.ts";

export const LIFECYCLE_APP = "test/server/lifecycle-app.ts";

const dirs: string[] = [];

/** For after() hooks: removes the directories of releaseFile(). */
export function removeReleaseFiles(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh RELEASE_FILE path: requests to /hold/... wait until it exists. */
export function releaseFile(): { path: string; release: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "spry-shutdown-"));
  dirs.push(dir);
  const path = join(dir, "release");
  return { path, release: () => writeFileSync(path, "") };
}

/** The JSON lines the fixture app and spry's logger wrote, in order. */
export function logLines(server: SpryProcess): Record<string, unknown>[] {
  return server.stdout().split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export function events(server: SpryProcess, name: string): Record<string, unknown>[] {
  return logLines(server).filter((line) => line.event === name);
}

export interface Exchange {
  /** Resolves with the response, or rejects if the connection closes without one. */
  readonly response: Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;
  /** The connection it went over, once assigned. */
  socket(): Socket | undefined;
  /** Whether the first chunk of the body has arrived. */
  firstChunk(): boolean;
}

/** One GET over the given agent's connection (keep-alive agents keep it open afterwards). */
export function exchange(url: string, agent: Agent | false): Exchange {
  let socket: Socket | undefined;
  let chunked = false;
  const response = new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
        chunked = true;
      });
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("socket", (s) => (socket = s));
    req.on("error", reject);
    req.end();
  });
  response.catch(() => {}); // observed by the tests that expect a failure
  return { response, socket: () => socket, firstChunk: () => chunked };
}

export function closed(socket: Socket | undefined): boolean {
  return socket !== undefined && socket.destroyed;
}
