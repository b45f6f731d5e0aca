import assert from "node:assert/strict";
import { HTTPException, Spry, type RequestLimits } from "spry";
import { recordingLogger, type Entry } from "./logger.ts";
import type { TestServer } from "./server.ts";

/**
 * An app whose routes write down what ran, in `calls`: GET /ok, GET /secret (where smuggled
 * requests aim), and POST /upload, which reads its whole body.
 */
export function recordingApp(limits: Partial<RequestLimits> = {}) {
  const logger = recordingLogger();
  const calls: string[] = [];
  const app = new Spry({ logger, limits });
  app.get("/ok", () => {
    calls.push("GET /ok");
    return { ok: true };
  });
  app.get("/secret", () => {
    calls.push("GET /secret");
    return { secret: true };
  });
  app.post("/upload", async (_, ctx) => {
    calls.push("POST /upload started");
    try {
      const body = await ctx.body();
      calls.push(`POST /upload read ${body.byteLength}`);
      return { size: body.byteLength };
    } catch (error) {
      calls.push(`POST /upload failed: ${error instanceof HTTPException ? error.status : (error as Error).name}`);
      throw error;
    }
  });
  return { app, calls, logger };
}

/** What docs/reliability.md asks after every bad input: a well-formed request still gets 200, and no error was logged. */
export async function assertStillServes(srv: TestServer, logger: { entries: Entry[] }): Promise<void> {
  const res = await srv.get("/ok");
  assert.equal(res.status, 200);
  assert.deepEqual(logger.entries.filter((e) => e.level === "error"), []);
}
